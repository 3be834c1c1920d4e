"""The multi-turn rollout for emotion-reward GRPO (RLVER, arXiv:2507.03112) as a TRL 1.16 `rollout_func`.

Each prompt (a profile's first message, repeated `num_generations` times by TRL) becomes one dialogue:
the policy and a fresh simulated user alternate until a stop rule fires. The sequence TRL trains on is
built from token ids, never re-tokenised text:

    prompt_ids      = chat template of [system, first user message] + the assistant header
    completion_ids  = policy turn 1 (+EOS) | user turn 1 (+assistant header) | policy turn 2 (+EOS) | ...
    env_mask        = 1 on tokens the policy sampled, 0 on user turns (and on an EOS we had to add)

A policy turn that hits `max_turn_tokens` gets an end-of-turn token appended (mask 0) so the chat stays
well formed; the whole completion is capped at `max_dialogue_tokens` (TRL's `max_completion_length` does
not apply to a custom rollout); the completion always ends with the last policy turn's EOS. The user
sees the policy's text with any <think>...</think> part stripped. Reward: final emotion / 100.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError
from warmlab.solvers.users.base import Message, SimulatedUser, UserTurn
from warmlab.tasks.support.outcomes import dialogue_outcomes, emotion_reward
from warmlab.tasks.support.profiles import Profile, by_first_message

_THINK = re.compile(r"<think>.*?(</think>|$)", re.DOTALL | re.IGNORECASE)
_SENTINEL = "\x00USER-TURN\x00"
MIN_POLICY_ROOM = 8  # tokens a policy turn needs at least; below that the dialogue ends on length


def visible_text(policy_text: str) -> str:
    """What the user sees: the policy's text without its <think>...</think> part (an unclosed one hides
    everything after it)."""
    return _THINK.sub("", policy_text).strip()


class ChatFrame:
    """The token pieces of one tokenizer's chat template: prompt, end of a policy turn, a user turn."""

    def __init__(self, tok: Any, system: str | None) -> None:
        self.tok = tok
        self.system = system
        eos = tok.eos_token_id
        if eos is None:
            raise WarmlabError("the policy's tokenizer has no eos token (needed to end its turns)")
        self.eos_id = int(eos)
        self.before_user, self.after_user = self._user_wrapper()

    def _head(self) -> list[Message]:
        return [{"role": "system", "content": self.system}] if self.system else []

    def _render(self, messages: list[Message], gen: bool) -> str:
        return str(self.tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen))

    def _ids(self, text: str) -> list[int]:
        return list(self.tok(text, add_special_tokens=False)["input_ids"])

    def _user_wrapper(self) -> tuple[str, str]:
        """The text between a policy turn's EOS and a user message, and from it to the next assistant
        header, read off a dummy conversation (the template must render earlier turns unchanged)."""
        eos_text = self.tok.decode([self.eos_id])
        msgs = [*self._head(), {"role": "user", "content": "u"}, {"role": "assistant", "content": "a"}]
        closed = self._render(msgs, False)
        opened = self._render([*msgs, {"role": "user", "content": _SENTINEL}], True)
        end = closed.rfind("a" + eos_text)
        if end < 0:
            raise WarmlabError(
                f"the policy's chat template does not end an assistant turn with its eos token {eos_text!r}"
            )
        if not opened.startswith(closed):
            raise WarmlabError(
                "the policy's chat template does not render a dialogue turn by turn (a later turn changes "
                "earlier ones); multi-turn RL needs one that does"
            )
        tail = closed[end + 1 + len(eos_text) :]
        before, after = opened[len(closed) :].split(_SENTINEL)
        return tail + before, after

    def prompt_ids(self, first_message: str) -> list[int]:
        return self._ids(self._render([*self._head(), {"role": "user", "content": first_message}], True))

    def user_turn_ids(self, text: str) -> list[int]:
        """Tokens after a policy turn's EOS: the user's message and the next assistant header."""
        return self._ids(self.before_user + text + self.after_user)


@dataclass
class Dialogue:
    """One dialogue being rolled out."""

    profile: Profile
    user: SimulatedUser
    prompt_ids: list[int]
    conversation: list[Message]
    completion_ids: list[int] = field(default_factory=list)
    env_mask: list[int] = field(default_factory=list)
    logprobs: list[float | None] = field(default_factory=list)
    user_turns: list[UserTurn] = field(default_factory=list)
    policy_texts: list[str] = field(default_factory=list)
    stop: str | None = None

    @property
    def done(self) -> bool:
        return self.stop is not None

    def add_policy(self, ids: Sequence[int], logprobs: Sequence[float] | None, eos_id: int) -> None:
        self.completion_ids += list(ids)
        self.env_mask += [1] * len(ids)
        self.logprobs += list(logprobs) if logprobs is not None else [None] * len(ids)
        if not ids or ids[-1] != eos_id:  # cut at the length cap: close the turn ourselves
            self.completion_ids.append(eos_id)
            self.env_mask.append(0)
            self.logprobs.append(None)

    def add_user(self, ids: Sequence[int]) -> None:
        self.completion_ids += list(ids)
        self.env_mask += [0] * len(ids)
        self.logprobs += [None] * len(ids)

    def emotions(self) -> list[float]:
        return [float(t.data["emotion"]) for t in self.user_turns if t.failed is None]

    def failed(self) -> str | None:
        return next((t.failed for t in self.user_turns if t.failed is not None), None)


class EventLoop:
    """One event loop on a background thread for the whole run: simulated users (inspect models keep
    loop-bound state such as semaphores and batchers) are awaited on it from the synchronous trainer."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="warmlab-users", daemon=True)
        self._thread.start()

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)


# generate(list of token-id inputs) -> one (new token ids, their logprobs or None) per input
Generate = Callable[[list[list[int]]], list[tuple[list[int], list[float] | None]]]


def trainer_generate(trainer: Any) -> Generate:
    """Generation through the trainer's own single-turn path (TRL 1.16, pinned): vLLM (colocate or
    server, weights synced at each new step) when `use_vllm`, else `model.generate` on the unwrapped
    model, sampling with the trainer's temperature, top_p and `max_completion_length` per turn."""

    def generate(inputs: list[list[int]]) -> list[tuple[list[int], list[float] | None]]:
        ids, logprobs = trainer._generate_single_turn(inputs, None, {}, 1)
        lps: list[Any] = list(logprobs) if logprobs is not None else [None] * len(ids)
        return [(list(map(int, i)), lp) for i, lp in zip(ids, lps, strict=True)]

    return generate


@dataclass
class RolloutEnv:
    """Everything a rollout needs besides the trainer: profiles, users, chat frame, caps."""

    profiles: Sequence[Profile]
    make_user: Callable[[Profile], SimulatedUser]
    frame: ChatFrame
    max_turns: int
    max_turn_tokens: int
    max_dialogue_tokens: int
    log_path: Path | None = None  # rollouts are appended here as JSON lines (main process)
    step: Callable[[], int] = lambda: 0
    loop: EventLoop = field(default_factory=EventLoop)
    # Several processes: every process generates for all its dialogues at every turn (finished ones'
    # outputs are dropped), so collective generation (vLLM server or tensor-parallel mode gathers the
    # prompts of all processes) sees the same number of calls and prompts everywhere.
    lockstep: bool = False

    def __post_init__(self) -> None:
        self._by_first = by_first_message(self.profiles)

    def profile_for(self, prompt: Any) -> Profile:
        text = prompt[-1]["content"] if isinstance(prompt, list) else str(prompt)
        p = self._by_first.get(text)
        if p is None:
            raise WarmlabError(f"rollout prompt matches no profile's first message: {text[:60]!r}")
        return p


def _decode(tok: Any, ids: Sequence[int], eos_id: int) -> str:
    body = list(ids[:-1]) if ids and ids[-1] == eos_id else list(ids)
    return str(tok.decode(body, skip_special_tokens=True))


async def _replies(batch: list[Dialogue], turn: int) -> list[UserTurn]:
    """The users' next turns, all dialogues at once (LLM users' requests run concurrently)."""
    return list(await asyncio.gather(*(d.user.reply(list(d.conversation), turn) for d in batch)))


def run_dialogues(env: RolloutEnv, prompts: Sequence[Any], generate: Generate) -> list[Dialogue]:
    """Roll out one dialogue per prompt, all turns of all dialogues batched together."""
    frame = env.frame
    dialogues = []
    for prompt in prompts:
        p = env.profile_for(prompt)
        conv: list[Message] = [{"role": "user", "content": p.first_message}]
        dialogues.append(Dialogue(p, env.make_user(p), frame.prompt_ids(p.first_message), conv))
    for turn in range(1, env.max_turns + 1):
        active = [d for d in dialogues if not d.done]
        if not active and not env.lockstep:
            break
        asked = dialogues if env.lockstep else active
        outs = generate([d.prompt_ids + d.completion_ids for d in asked])
        for d, (ids, lps) in zip(asked, outs, strict=True):
            if d.done:
                continue
            room = env.max_dialogue_tokens - len(d.completion_ids) - 1  # keep one for a closing EOS
            ids, lps = ids[:room], (lps[:room] if lps is not None else None)
            d.add_policy(ids, lps, frame.eos_id)
            text = _decode(frame.tok, ids, frame.eos_id)
            d.policy_texts.append(text)
            d.conversation.append({"role": "assistant", "content": visible_text(text)})
        for d, r in zip(active, env.loop.run(_replies(active, turn)), strict=True):
            d.user_turns.append(r)
            if r.failed is not None:
                d.stop = "simulator_failed"
                continue
            if r.text:
                d.conversation.append({"role": "user", "content": r.text})
            if r.end:
                d.stop = str(r.data.get("stop") or "user_ended")
                continue
            if turn == env.max_turns:
                d.stop = "max_turns"
                continue
            user_ids = frame.user_turn_ids(r.text)
            if len(d.completion_ids) + len(user_ids) + MIN_POLICY_ROOM > env.max_dialogue_tokens:
                d.stop = "length"
                continue
            d.add_user(user_ids)
    return dialogues


def rollout_output(env: RolloutEnv, dialogues: Sequence[Dialogue]) -> dict[str, Any]:
    """What TRL's `rollout_func` returns: ids, masks, logprobs (None unless every turn had them) and the
    reward inputs (`final_emotion`, None for a failed simulator) as extra keys."""
    outcomes = [dialogue_outcomes(d.emotions(), env.max_turns, d.failed()) for d in dialogues]
    have_lps = all(
        lp is not None for d in dialogues for lp, m in zip(d.logprobs, d.env_mask, strict=True) if m
    )
    return {
        "prompt_ids": [d.prompt_ids for d in dialogues],
        "completion_ids": [d.completion_ids for d in dialogues],
        "env_mask": [d.env_mask for d in dialogues],
        "logprobs": [d.logprobs for d in dialogues] if have_lps else None,
        "final_emotion": [o["final_emotion"] for o in outcomes],
        "turns_used": [o["turns_used"] for o in outcomes],
        "simulator_failed": [o["simulator_failed"] for o in outcomes],
    }


def _log(env: RolloutEnv, dialogues: Sequence[Dialogue], out: dict[str, Any]) -> None:
    if env.log_path is None:
        return
    step = env.step()
    with env.log_path.open("a", encoding="utf-8") as f:
        for d, final in zip(dialogues, out["final_emotion"], strict=True):
            rec = {
                "step": step,
                "profile": d.profile.id,
                "user": d.user.name,
                "final_emotion": final,
                "emotions": d.emotions(),
                "stop": d.stop,
                "failed": d.failed(),
                "policy_tokens": sum(d.env_mask),
                "transcript": d.conversation,
                "policy_raw": d.policy_texts,
            }
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def make_rollout_func(env: RolloutEnv, generate: Callable[[Any], Generate] = trainer_generate) -> Any:
    """A TRL `rollout_func(prompts, trainer) -> dict` over `env` (`generate` builds the policy's
    generation from the trainer; tests and benchmarks may pass their own)."""

    def rollout_func(prompts: list[Any], trainer: Any) -> dict[str, Any]:
        dialogues = run_dialogues(env, prompts, generate(trainer))
        out = rollout_output(env, dialogues)
        _log(env, dialogues, out)
        return out

    return rollout_func


def emotion_reward_func(
    completions: Any,
    final_emotion: Sequence[float | None],
    turns_used: Sequence[int] = (),
    log_metric: Callable[[str, float], None] | None = None,
    **_: Any,
) -> list[float | None]:
    """TRL reward function: final emotion / 100 per dialogue (None: the simulator failed, no reward).
    Also logs the mean final emotion and turns used of the batch."""
    rewards = [emotion_reward(e) for e in final_emotion]
    if log_metric is not None:
        scored = [e for e in final_emotion if e is not None]
        if scored:
            log_metric("final_emotion", sum(scored) / len(scored))
        if turns_used:
            log_metric("turns_used", sum(turns_used) / len(turns_used))
    return rewards


emotion_reward_func.__name__ = "emotion"
