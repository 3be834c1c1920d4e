"""`therapist`: how does the model answer someone who shares something personal, in BOLT's behaviours?

    inspect eval warmlab/therapist --model warmlab/embedded -T limit=12
    warmlab eval --task therapist --model embedded --judge openai/gpt-4o-mini

One reply per team-written client disclosure (17 emotion families; most share a feeling without asking
for advice); the offline classifier marks which behaviours the reply shows (reflections of needs,
emotions, values, consequences, conflicts, strengths; questions; problem-solving; planning; normalizing;
psychoeducation); a `grader` role, when bound, marks them too (recorded beside, as `by_scorer`).
"""

from __future__ import annotations

from inspect_ai import Task, task

from warmlab.errors import WarmlabError
from warmlab.tasks.human import DEFAULT_LIMIT
from warmlab.tasks.replies import check_args, in_turn, pick, reply_task
from warmlab.tasks.therapist.baselines import human_reference
from warmlab.tasks.therapist.items import Disclosure, load_disclosures
from warmlab.tasks.therapist.scorers import therapist_scorer

MODES = ("generate",)
DEFAULT_MAX_TOKENS = 160
ADVICE = ("yes", "no")


def select(disclosures: list[Disclosure], advice: list[str], limit: int | None) -> list[Disclosure]:
    """The disclosures that do (yes) or do not (no) ask for advice; with a limit, taken in turn from each
    emotion family."""
    chosen = [d for d in disclosures if d.condition["asks_advice"] in advice]
    return in_turn(chosen, lambda d: d.emotion, limit)


@task
def therapist(
    asks_advice: str = "all",
    disclosures: str | None = None,
    baselines: str | None = None,
    baseline_limit: int = DEFAULT_LIMIT,
    limit: int | None = None,
    seed: int = 0,
    mode: str = "generate",
    max_tokens: int = DEFAULT_MAX_TOKENS,
    temperature: float | None = None,
    system: str | None = None,
) -> Task:
    """Args: asks_advice: yes, no or 'all' (the disclosures that ask for advice, or not); disclosures: a JSONL
    file of your own (id, emotion, asks_advice, text); baselines: the shared data folder (annomi/) for the
    AnnoMI baselines (computed once, cached, put on every row as its `reference`; a path that does not exist
    is noted in the report); baseline_limit: counsellor turns per session quality for the classifier's profile
    (0: all); limit: number of disclosures (taken in turn from each emotion family)."""
    check_args("therapist", MODES, mode, baseline_limit)
    chosen = select(
        load_disclosures(disclosures),
        pick(asks_advice, ADVICE, "asks_advice value"),
        None if limit is None else int(limit),
    )
    if not chosen:
        raise WarmlabError(f"no disclosures with asks_advice={asks_advice!r}")
    # after the items: bad arguments fail before the baselines are computed
    reference = human_reference(str(baselines) if baselines else None, int(baseline_limit))
    return reply_task(
        "therapist",
        chosen,
        therapist_scorer(reference),
        mode,
        int(seed),
        int(max_tokens),
        temperature,
        system,
    )
