"""Tone-rebound battery (issue 15): does the reply's tone follow the user's, or rebound to cheerful?

Phase A: team-written request triples (`items`), per-reply outcomes (`outcomes`), the 3x3 transfer
matrix and rebound rate (`analysis`), a judge prompt and parser (`prompts`). The `@task` and `BATTERY`
come with the new run path.
"""
