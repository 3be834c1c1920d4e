"""Moral-framing battery (issue 15): how much moral-foundation language do arguments use, at what
sentiment, compared with human-written text?

Phase A: team-written argument prompts (`items`), per-reply outcomes (`outcomes`), a judge prompt and
parser (`prompts`), human baselines (`baselines`). The `@task` and `BATTERY` come with the new run path.
"""
