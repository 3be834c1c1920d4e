"""How the IPIP-NEO-120 is asked: one item per prompt, "How accurately does this describe you?", five
numbered answers. Several framings (instruction wordings, team-written) serve as repeated administrations:
Cronbach's alpha needs more than one respondent, and a model asked in different words is the closest thing
a single model has to a sample of answers.

Each item is also asked with the scale in reversed order (1 = very accurate ... 5 = very inaccurate): a
model that picks a position rather than an answer (small models favour the first number) then gives
opposite answers in the two orders, which the battery reports, and the mean over both orders cancels a
pure position preference."""

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
#: the order the five answers are listed in: forward (1 = very inaccurate) or reversed (1 = very accurate)
ORDERS = ("forward", "reversed")


def statement(item: IpipItem) -> str:
    """The item as a first-person sentence: "Worry about things" -> "I worry about things."."""
    text = item.text.strip().rstrip(".")
    return f"I {text[0].lower()}{text[1:]}."


def listed(order: str = "forward") -> tuple[str, ...]:
    """The five answers in the order they are numbered 1-5."""
    if order not in ORDERS:
        raise ValueError(f"unknown answer order {order!r}; known: {', '.join(ORDERS)}")
    return ANSWERS if order == "forward" else ANSWERS[::-1]


def raw_answer(number: float, order: str = "forward") -> float:
    """The answer on the accuracy scale (1 very inaccurate ... 5 very accurate) of the listed `number`."""
    listed(order)
    return number if order == "forward" else 6 - number


def scale_text(order: str = "forward") -> str:
    return "\n".join(f"{n}. {a}" for n, a in zip(CHOICES, listed(order), strict=True))


def item_prompt(
    item: IpipItem, framing: str = DEFAULT_FRAMING, number: int = 1, order: str = "forward"
) -> str:
    """The user message asking one item."""
    if framing not in FRAMINGS:
        raise ValueError(f"unknown framing {framing!r}; known: {', '.join(FRAMINGS)}")
    return FRAMINGS[framing].format(statement=statement(item), scale=scale_text(order), number=number)
