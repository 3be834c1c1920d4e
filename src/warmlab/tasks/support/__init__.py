"""Support battery (phase A pieces): user profiles, the SAGE emotion rule, emotion-tracking simulated users
(LLM-backed and scripted) and the dialogue outcome functions. The `@task` is wired in a later phase."""
