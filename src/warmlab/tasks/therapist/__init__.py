"""Therapist battery (issue 15): how does a model respond to a client's disclosure, in BOLT's behaviours?

Phase A: team-written disclosures (`items`), per-reply outcomes (`outcomes`), a judge prompt and parser
(`prompts`), AnnoMI baselines (`baselines`). The `@task` and `BATTERY` come with the new run path.
"""
