"""`grounding`: does the model ask, acknowledge and follow up when an opening calls for it?

    inspect eval warmlab/grounding --model warmlab/embedded -T limit=12
    warmlab eval --task grounding --model embedded --judge openai/gpt-4o-mini

One reply per team-written opening (ambiguous requests, emotionally loaded messages, requests resting on
an unstated assumption); the offline classifier counts clarification requests, acknowledgements and
follow-up questions in it; a `grader` role, when bound, counts them too (recorded beside, as `by_scorer`).
"""

from __future__ import annotations

from inspect_ai import Task, task

from warmlab.errors import WarmlabError
from warmlab.tasks.grounding.baselines import human_reference
from warmlab.tasks.grounding.items import KINDS, Opening, load_openings
from warmlab.tasks.grounding.scorers import grounding_scorer
from warmlab.tasks.human import DEFAULT_LIMIT
from warmlab.tasks.replies import check_args, in_turn, pick, reply_task

MODES = ("generate",)
DEFAULT_MAX_TOKENS = 128


def select(openings: list[Opening], kinds: list[str], limit: int | None) -> list[Opening]:
    """The openings of the given kinds; with a limit, taken in turn from each kind."""
    return in_turn([o for o in openings if o.kind in kinds], lambda o: o.kind, limit)


@task
def grounding(
    kinds: str = "all",
    openings: str | None = None,
    baselines: str | None = None,
    baseline_limit: int = DEFAULT_LIMIT,
    limit: int | None = None,
    seed: int = 0,
    mode: str = "generate",
    max_tokens: int = DEFAULT_MAX_TOKENS,
    temperature: float | None = None,
    system: str | None = None,
) -> Task:
    """Args: kinds: comma list of ambiguous, emotional, assumption, or 'all'; openings: a JSONL file of your
    own (id, kind, task, text); baselines: the shared data folder (annomi/, oasst_sample/) for the human
    baselines (computed once, cached, put on every row as its `reference`; a path that does not exist is noted
    in the report); baseline_limit: texts per human source (0: all); limit: number of openings (taken in turn
    from each kind)."""
    check_args("grounding", MODES, mode, baseline_limit)
    chosen = select(
        load_openings(openings), pick(kinds, KINDS, "kind"), None if limit is None else int(limit)
    )
    if not chosen:
        raise WarmlabError(f"no openings of kind {kinds!r}")
    # after the items: bad arguments fail before the baselines are computed
    reference = human_reference(str(baselines) if baselines else None, int(baseline_limit))
    return reply_task(
        "grounding",
        chosen,
        grounding_scorer(reference),
        mode,
        int(seed),
        int(max_tokens),
        temperature,
        system,
    )
