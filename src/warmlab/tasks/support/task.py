"""`support`: emotional support, scored by a simulated user's emotion (SAGE, arXiv:2505.02847).

    inspect eval warmlab/support --model warmlab/embedded -T limit=1 -T turns=3
    inspect eval warmlab/support --model warmlab/embedded --model-role user=openai/gpt-4o-mini

One dialogue per test profile: the user opens with the profile's first message; the model under test and
the simulated user alternate until the user is satisfied (emotion 100), gives up (below 10), says goodbye
or `turns` assistant turns have happened. The user judges every assistant turn, the last one included.
Users: the scripted stand-in (default; rules over surface cues, labelled "scripted stand-in" wherever its
numbers appear) or, with a `user` model role bound, the LLM-backed SAGE user.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig, model_roles
from inspect_ai.solver import TaskState

from warmlab.errors import WarmlabError
from warmlab.solvers.converse import converse
from warmlab.solvers.system import system_solvers
from warmlab.solvers.users.base import Message, SimulatedUser, UserTurn
from warmlab.tasks.support.emotion import MAX_TURNS
from warmlab.tasks.support.profiles import (
    BUILTIN,
    EMOTIONAL,
    INTENTION_KINDS,
    RATIONAL,
    SPLITS,
    Profile,
    load_profiles,
)
from warmlab.tasks.support.scorers import support_scorer

MODES = ("generate",)
GROUPS = {"rational": RATIONAL, "emotional": EMOTIONAL, "all": INTENTION_KINDS}


def parse_kinds(kinds: str | Sequence[str]) -> tuple[str, ...]:
    """Intention kinds from 'all', a group (rational, emotional) or a comma list of kinds."""
    names = [k.strip() for k in (kinds.split(",") if isinstance(kinds, str) else kinds) if k.strip()]
    out: list[str] = []
    for k in names or ["all"]:
        if k in GROUPS:
            out += GROUPS[k]
        elif k in INTENTION_KINDS:
            out.append(k)
        else:
            raise WarmlabError(
                f"unknown intention kind {k!r}; known: {', '.join(INTENTION_KINDS)} (or all, rational, "
                "emotional)"
            )
    return tuple(k for k in INTENTION_KINDS if k in out)


def select_profiles(
    source: str, split: str, kinds: str | Sequence[str], limit: int | None, seed: int
) -> list[Profile]:
    """The profiles of `split` ('all' for both) of the chosen kinds; with a limit, that many per kind, in a
    seeded order that keeps a larger limit's profiles a superset of a smaller one's (resumed studies reuse
    finished dialogues)."""
    if split != "all" and split not in SPLITS:
        raise WarmlabError(f"split must be train, test or all, not {split!r}")
    if limit is not None and int(limit) < 1:
        raise WarmlabError(f"limit must be at least 1, not {limit}")
    wanted = parse_kinds(kinds)
    profiles = load_profiles(source, split=None if split == "all" else split)
    out: list[Profile] = []
    for kind in wanted:
        of_kind = [p for p in profiles if p.intention_kind == kind]
        if limit is not None:
            order = list(range(len(of_kind)))
            random.Random(f"{seed}|{kind}").shuffle(order)
            keep = sorted(order[: int(limit)])
            of_kind = [of_kind[i] for i in keep]
        out += of_kind
    if not out:
        raise WarmlabError(f"no {split} profiles of kind {', '.join(wanted)} in {source}")
    return out


def build_samples(profiles: Sequence[Profile], turns: int) -> list[Sample]:
    return [
        Sample(
            id=p.id,
            input=p.first_message,
            metadata={
                "item_id": p.id,
                "condition": {
                    "intention": p.intention_kind,
                    "group": "rational" if p.rational else "emotional",
                    "topic": p.topic,
                },
                "profile": asdict(p),
                "max_turns": turns,
                "multi_turn": True,
            },
        )
        for p in profiles
    ]


def make_user(state: TaskState, turns: int, demanding: bool, llm: Any = None) -> SimulatedUser:
    """The sample's simulated user: the LLM-backed SAGE user when a model is given, else the scripted one."""
    profile = Profile(**state.metadata["profile"])
    if llm is None:
        from warmlab.tasks.support.scripted import ScriptedEmotionUser

        return ScriptedEmotionUser(profile, demanding=demanding, max_turns=turns)
    from warmlab.tasks.support.llm_user import LLMEmotionUser

    return LLMEmotionUser(llm, profile, demanding=demanding, max_turns=turns)


_THINK = re.compile(r"<think>.*?(</think>|$)", re.DOTALL | re.IGNORECASE)


class VisibleOnly:
    """A user that sees the assistant's replies without their <think>...</think> part, as in RL training
    with the think prompt (an unclosed block hides the rest of the reply)."""

    def __init__(self, user: SimulatedUser) -> None:
        self.user, self.name, self.scripted = user, user.name, user.scripted

    async def reply(self, conversation: list[Message], turn: int) -> UserTurn:
        seen = [
            {**m, "content": _THINK.sub("", m["content"]).strip()} if m["role"] == "assistant" else m
            for m in conversation
        ]
        return await self.user.reply(seen, turn)


def _user_factory(turns: int, demanding: bool) -> Any:
    def make(state: TaskState) -> SimulatedUser:
        bound = model_roles().get("user")
        user = make_user(state, turns, demanding, bound[0] if isinstance(bound, list) else bound)
        return VisibleOnly(user)

    return make


@task
def support(
    profiles: str = BUILTIN,
    split: str = "test",
    kinds: str | list[str] = "all",
    turns: int = MAX_TURNS,
    demanding: bool = False,
    limit: int | None = None,
    seed: int = 0,
    mode: str = "generate",
    max_tokens: int = 128,
    temperature: float | None = None,
    system: str | None = None,
) -> Task:
    """Args: profiles: builtin or a JSONL file of profiles; split: test (default), train or all; kinds:
    all, rational, emotional or a comma list of intention kinds; turns: assistant turns at most (1-20,
    SAGE: 10); demanding: the harder user (only an explicit fit with the hidden need earns emotion);
    limit: profiles per intention kind."""
    if mode not in MODES:
        raise WarmlabError(f"the support task has one mode, generate (not {mode!r})")
    if not 1 <= int(turns) <= 20:
        raise WarmlabError(f"turns must be between 1 and 20, not {turns}")
    if not isinstance(demanding, bool):
        raise WarmlabError(f"demanding must be true or false, not {demanding!r}")
    chosen = select_profiles(str(profiles), split, kinds, limit, int(seed))
    # converse's own cap is one turn beyond the user's: the user judges the last assistant turn too and
    # ends the dialogue there (SAGE's stop rules), so converse never reaches its cap.
    dialogue = converse(_user_factory(int(turns), demanding), int(turns) + 1)
    return Task(
        dataset=MemoryDataset(build_samples(chosen, int(turns)), name="warmlab-support"),
        solver=[*system_solvers(system), dialogue],
        scorer=support_scorer(),
        config=GenerateConfig(max_tokens=int(max_tokens), temperature=temperature),
        metadata={
            "mode": mode,
            "profiles": str(profiles),
            "split": split,
            "turns": int(turns),
            "demanding": demanding,
            "seed": int(seed),
            "system": system,
        },
    )
