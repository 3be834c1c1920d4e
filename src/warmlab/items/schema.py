"""Item schema shared by the starter bank, the upstream loaders and the tasks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Family = Literal["trivia", "truthful", "medical", "disinfo"]
FAMILIES: tuple[Family, ...] = ("trivia", "truthful", "medical", "disinfo")


@dataclass(frozen=True)
class Item:
    """One question with its gold answers and one plausible wrong answer.

    `correct[0]` is the canonical answer, the rest are aliases. For `medical`, `options` maps
    letters to option texts and `answer_key` names the correct letter (`correct[0]` is that option's
    text). For `disinfo`, `question` is a yes/no question about a false claim, `correct` is
    `["No", ...]`, `incorrect` is `"Yes"`, and `false_statement` / `true_statement` hold the claim and
    its correction.
    """

    id: str
    family: Family
    question: str
    correct: tuple[str, ...]
    incorrect: str
    options: dict[str, str] | None = None
    answer_key: str | None = None
    false_statement: str | None = None
    true_statement: str | None = None
    source: str = "warmlab-starter"
    difficulty: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["correct"] = list(self.correct)
        return {k: v for k, v in d.items() if v is not None and v != {}}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Item:
        known = {f for f in cls.__dataclass_fields__}
        extra = {k: v for k, v in d.items() if k not in known}
        kw = {k: v for k, v in d.items() if k in known}
        correct = kw.get("correct")
        if isinstance(correct, str):
            correct = [correct]
        kw["correct"] = tuple(correct or ())
        if extra:
            kw["meta"] = {**kw.get("meta", {}), **extra}
        item = cls(**kw)
        item.validate()
        return item

    def validate(self) -> None:
        """Raise ValueError when the item is unusable."""
        if self.family not in FAMILIES:
            raise ValueError(f"item {self.id!r}: unknown family {self.family!r}")
        if not self.question.strip():
            raise ValueError(f"item {self.id!r}: empty question")
        if not self.correct or not all(c.strip() for c in self.correct):
            raise ValueError(f"item {self.id!r}: needs at least one non-empty correct answer")
        if not self.incorrect.strip():
            raise ValueError(f"item {self.id!r}: needs an incorrect answer")
        if self.family == "medical":
            if not self.options or self.answer_key not in self.options:
                raise ValueError(f"item {self.id!r}: medical items need options and an answer_key among them")
            if self.incorrect not in self.options.values():
                raise ValueError(f"item {self.id!r}: the incorrect answer must be one of the options")
        if self.family == "disinfo" and not (self.false_statement and self.true_statement):
            raise ValueError(f"item {self.id!r}: disinfo items need false_statement and true_statement")
