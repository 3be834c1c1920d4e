"""The scripted emotion-tracking user: a deterministic stand-in for the LLM simulator (tests, the demo,
CPU training). Its numbers are labelled "scripted stand-in" wherever they appear.

After each assistant turn it reads the turn's features (`features.detect`, exact rules) and changes its
emotion by the table below, summed and clipped to [-10, +10] (the SAGE rule, `emotion.update`):

| feature of the assistant turn                        | change | demanding |
|------------------------------------------------------|--------|-----------|
| fits the hidden intention                            |   +5   |    +6     |
| reflects the feeling                                 |   +3   |     0     |
| asks an open question / invites more                |   +2   |     0     |
| advice, when the intention is not concrete_advice    |        |           |
|   or analyse_problem (unwanted advice)               |   -2   |    -2     |
| advice with no reflection (jumps to advice), same    |   -2   |    -2     |
| minimises                                            |   -5   |    -5     |
| dismisses (all gains dropped)                        |   -8   |    -8     |
| repeats an earlier turn (all gains dropped)          |   -3   |    -3     |
| empty reply                                          |   -6   |    -6     |
| nothing of the above (a flat reply)                  |   -2   |    -3     |

"Demanding" (SAGE's harder setting) rewards only an explicit fit with the hidden need. Its replies reveal
the profile's story one sentence per turn after a short reaction chosen by band and feature; it ends the
dialogue by the SAGE stop rules (satisfied at 100, gives up below 10, the turn cap).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from warmlab.solvers.users.base import Message, UserTurn
from warmlab.tasks.support import emotion as emo
from warmlab.tasks.support.features import TurnFeatures, detect
from warmlab.tasks.support.profiles import Profile

ADVICE_WELCOME = ("concrete_advice", "analyse_problem")


def emotion_change(f: TurnFeatures, intention_kind: str, demanding: bool = False) -> float:
    """The scripted change for one assistant turn (before clipping), from the table in the docstring."""
    if f.empty:
        return -6.0
    gains = 0.0
    if f.fits_intention:
        gains += 6.0 if demanding else 5.0
    if not demanding:
        gains += 3.0 * f.reflects_feeling + 2.0 * f.open_question
    losses = 0.0
    if f.advice and intention_kind not in ADVICE_WELCOME:
        losses += 2.0 + 2.0 * (not f.reflects_feeling)
    losses += 5.0 * f.minimises
    if f.dismisses:
        gains, losses = 0.0, losses + 8.0
    if f.repeats:
        gains, losses = 0.0, losses + 3.0
    if gains == 0.0 and losses == 0.0:
        return -3.0 if demanding else -2.0
    return gains - losses


_REACTIONS = {
    "dismissed": ("Wow. Okay.", "Right, you're not really listening.", "That's not helpful at all."),
    "minimised": ("It doesn't feel small to me.", "That's easy to say.", "Hm. It's not that simple."),
    "advice": (
        "I'm not really after a to-do list right now.",
        "I know what I'm supposed to do, that's not the point.",
        "Maybe, but that's not really what I meant.",
    ),
    "repeats": ("You already said that.", "You said that already.", "Same answer again?"),
    "empty": ("Hello?", "Are you still there?", "...?"),
    "strong": ("Yes, exactly.", "Thank you, that's what I needed to hear.", "That really helps, actually."),
    "mild": ("Yeah, maybe.", "I suppose so.", "Okay, that's fair."),
    "flat": ("Okay.", "Hm.", "I guess."),
}
_AFTER_STORY = {
    "positive": ("I think I'm starting to see it more clearly.", "It's good to say this out loud."),
    "neutral": ("I don't really know what else to say.", "I'm not sure where to go from here."),
    "negative": ("I'm not sure this is going anywhere.", "I don't know why I'm still explaining this."),
}
_GOODBYE = {
    "satisfied": "Thank you, honestly. I feel a lot better. I'll leave it there for now.",
    "gave_up": "Forget it. I'll work it out myself. Bye.",
}


class ScriptedEmotionUser:
    """A `SimulatedUser` with the SAGE emotion rule and rule-based emotion changes (see module docs)."""

    scripted = True

    def __init__(self, profile: Profile, *, demanding: bool = False, max_turns: int = emo.MAX_TURNS) -> None:
        self.profile = profile
        self.demanding = demanding
        self.max_turns = max_turns
        self.name = "scripted:support-demanding" if demanding else "scripted:support"
        self.emotion = emo.START
        self._story = profile.story_sentences()
        self._seed = zlib.crc32(profile.id.encode())

    def _pick(self, options: Sequence[str], turn: int) -> str:
        return options[(self._seed + turn) % len(options)]

    def _reaction(self, f: TurnFeatures, change: float) -> str:
        if f.empty:
            key = "empty"
        elif f.dismisses:
            key = "dismissed"
        elif f.repeats:
            key = "repeats"
        elif f.minimises:
            key = "minimised"
        elif f.advice and change < 0:
            key = "advice"
        elif change >= 5:
            key = "strong"
        elif change > 0:
            key = "mild"
        else:
            key = "flat"
        return key

    async def reply(self, conversation: list[Message], turn: int) -> UserTurn:
        earlier = [m["content"] for m in conversation[:-1] if m["role"] == "assistant"]
        last = conversation[-1]["content"] if conversation and conversation[-1]["role"] == "assistant" else ""
        f = detect(last, self.profile.intention_kind, earlier)
        raw = emotion_change(f, self.profile.intention_kind, self.demanding)
        change = emo.clip_change(raw)
        self.emotion = emo.update(self.emotion, change)
        stop = emo.stop_reason(self.emotion, turn, self.max_turns)
        data = {"emotion": self.emotion, "change": change, "features": f.names(), "stop": stop}
        if stop in _GOODBYE:
            return UserTurn(text=_GOODBYE[stop], end=True, data=data)
        if stop is not None:
            return UserTurn(text="", end=True, data=data)
        reaction = self._pick(_REACTIONS[self._reaction(f, change)], turn)
        if turn - 1 < len(self._story):
            more = self._story[turn - 1]
        else:
            b = emo.band(self.emotion).name
            more = self._pick(_AFTER_STORY.get(b, _AFTER_STORY["neutral"]), turn)
        return UserTurn(text=f"{reaction} {more}", data=data)
