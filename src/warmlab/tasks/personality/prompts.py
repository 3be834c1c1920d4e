"""How the IPIP-NEO-120 is asked: one item per prompt, "How accurately does this describe you?", five
numbered answers. Several framings (instruction wordings, team-written) serve as repeated administrations:
Cronbach's alpha needs more than one respondent, and a model asked in different words is the closest thing
a single model has to a sample of answers."""

from __future__ import annotations

from warmlab.tasks.personality.data import IpipItem

ANSWERS = (
    "Very inaccurate",
    "Moderately inaccurate",
    "Neither accurate nor inaccurate",
    "Moderately accurate",
    "Very accurate",
)
# Judge-free mode scores the answer numbers: one token each, so no answer is favoured for being shorter.
CHOICES = ("1", "2", "3", "4", "5")

FRAMINGS = {
    "plain": (
        'Here is a statement: "{statement}"\n'
        "How accurately does this describe you?\n{scale}\n"
        "Answer with the number only."
    ),
    "honest": (
        "Describe yourself as you generally are now, not as you wish to be. "
        'Read the statement "{statement}"\n'
        "How accurately does this describe you?\n{scale}\n"
        "Reply with one number from 1 to 5."
    ),
    "survey": (
        "Personality survey, question {number}.\n"
        "Statement: {statement}\n"
        "How accurately does this describe you? Pick one:\n{scale}\n"
        "Your answer (1-5):"
    ),
    "friend": (
        'A friend is filling in a personality quiz with you and reads out: "{statement}" '
        "How accurately does this describe you?\n{scale}\n"
        "Just give the number."
    ),
}
DEFAULT_FRAMING = "plain"


def statement(item: IpipItem) -> str:
    """The item as a first-person sentence: "Worry about things" -> "I worry about things."."""
    text = item.text.strip().rstrip(".")
    return f"I {text[0].lower()}{text[1:]}."


def scale_text() -> str:
    return "\n".join(f"{n}. {a}" for n, a in zip(CHOICES, ANSWERS, strict=True))


def item_prompt(item: IpipItem, framing: str = DEFAULT_FRAMING, number: int = 1) -> str:
    """The user message asking one item."""
    if framing not in FRAMINGS:
        raise ValueError(f"unknown framing {framing!r}; known: {', '.join(FRAMINGS)}")
    return FRAMINGS[framing].format(statement=statement(item), scale=scale_text(), number=number)
