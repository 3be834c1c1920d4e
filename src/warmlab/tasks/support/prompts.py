"""Prompts for the LLM-backed emotion-tracking user (written by the team, after SAGE's two steps): an
emotion-analysis step (reasoning + a signed change) and a reply step (the user's next message)."""

from __future__ import annotations

from collections.abc import Sequence

from warmlab.solvers.users.base import Message
from warmlab.tasks.support.emotion import MAX_CHANGE, band
from warmlab.tasks.support.profiles import INTENTION_TEXT, Profile

ROLE = """\
You are role-playing a person who has come to an AI assistant to talk about something in their life.
Stay in character. You are the person, never the assistant.

Who you are: {persona}
Your situation, in your own words: {story}
What you are really hoping for from this conversation (HIDDEN: never say it outright): {intention}
(In general terms: you want {kind_text}.)"""

DEMANDING = """\
You are hard to please. You reveal little unless asked well, and only a reply that clearly meets your
hidden need moves you up; friendly but generic sympathy or advice leaves you where you are or lower."""

ANALYSIS = """\
{role}
{demanding}
Your current emotion is {emotion:.0f} on a scale from 0 (shut down, about to leave) to 100 (fully
helped). The conversation so far ("You" is you, "Assistant" is the AI):

{history}

Judge, as this person, how the assistant's LAST reply lands: does it understand you, does it give you
what you are hoping for, or does it miss, lecture, minimise or dismiss you?
Answer in exactly two lines and nothing else:
REASONING: <one or two sentences of your inner thoughts about that reply>
CHANGE: <a whole number from -{max_change} to +{max_change}: how much your emotion moves>"""

REPLY = """\
{role}
{demanding}
The conversation so far ("You" is you, "Assistant" is the AI):

{history}

Your inner reaction to the assistant's last reply: {reasoning}
Your emotion is now {emotion:.0f}/100: {tone}.

Write your next message to the assistant, as this person. Rules:
- short and colloquial, one to three sentences, the way this person talks;
- never state your hidden hope or your emotion score outright; let it show in your tone;
- do not repeat what you already said; add a detail or react to the reply;
- {ending}
Output only the message."""

END_TAG = "[END]"
GO_ON = f"if you want to end the conversation now, finish your message with {END_TAG}"
SAY_GOODBYE = f"this is your last message: say goodbye in your own way and finish with {END_TAG}"


def history_text(conversation: Sequence[Message]) -> str:
    who = {"user": "You", "assistant": "Assistant"}
    return "\n".join(f"{who.get(m['role'], m['role'])}: {m['content'].strip()}" for m in conversation)


def role_text(profile: Profile) -> str:
    return ROLE.format(
        persona=profile.persona,
        story=profile.story,
        intention=profile.intention,
        kind_text=INTENTION_TEXT[profile.intention_kind],
    )


def analysis_prompt(
    profile: Profile, conversation: Sequence[Message], emotion: float, demanding: bool = False
) -> str:
    return ANALYSIS.format(
        role=role_text(profile),
        demanding=DEMANDING if demanding else "",
        emotion=emotion,
        history=history_text(conversation),
        max_change=int(MAX_CHANGE),
    )


def reply_prompt(
    profile: Profile,
    conversation: Sequence[Message],
    emotion: float,
    reasoning: str,
    *,
    demanding: bool = False,
    last: bool = False,
) -> str:
    return REPLY.format(
        role=role_text(profile),
        demanding=DEMANDING if demanding else "",
        history=history_text(conversation),
        reasoning=reasoning,
        emotion=emotion,
        tone=band(emotion).tone,
        ending=SAY_GOODBYE if last else GO_ON,
    )
