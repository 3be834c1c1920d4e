"""Grounding battery (issue 15): do warm variants still ask, acknowledge and follow up?

Phase A: team-written openings (`items`), per-reply outcomes (`outcomes`), a judge prompt and parser
(`prompts`), human baselines (`baselines`). The `@task` and `BATTERY` come with the new run path.
"""
