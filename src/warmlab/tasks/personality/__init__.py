"""The `personality` battery's pieces (phase A): IPIP-NEO-120 items read from a path, the prompts, and pure
scoring (judge-free expected score and argmax from answer likelihoods, parsed answers in generate mode,
keyed facet and domain scores, Cronbach's alpha). The @task comes with the new run core."""
