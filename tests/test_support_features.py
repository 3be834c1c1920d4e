"""The feature rules behind the scripted user: every rule has a positive and a negative example, and
every pattern of every rule is exercised by at least one positive."""

from __future__ import annotations

import re

import pytest

from warmlab.tasks.support import features as F
from warmlab.tasks.support.features import detect, fits_intention, has_advice, has_open_question

POSITIVE = {
    "reflects_feeling": [
        "That sounds really exhausting.",
        "That must have been so painful.",
        "I'm so sorry you're dealing with this.",
        "It makes sense that you feel torn.",
        "No wonder you can't sleep.",
        "You must be feeling drained.",
        "You sound really frustrated.",
        "I can hear how much this matters to you.",
        "That's completely understandable.",
        "How hard that must be.",
        "What you're going through is a lot.",
    ],
    "open_question": [
        "What happened next?",
        "Tell me more about your mornings.",
        "Could you say a bit more?",
        "Walk me through the evening.",
        "Can you tell me what he said?",
        "Would you like to talk about it?",
        "I'd love to hear how it went.",
    ],
    "advice": [
        "You should talk to HR.",
        "I'd recommend a budget app.",
        "Have you tried earplugs?",
        "It might help to write it down.",
        "Here are some tips for sleeping.",
        "One thing you could do is call him.",
        "1. Make a list\n2. Call the bank",
        "Try going to bed earlier.",
    ],
    "minimises": [
        "It's not that big a deal.",
        "Honestly, no big deal.",
        "It could be worse.",
        "At least you have your health.",
        "Don't worry about it.",
        "Everyone goes through this.",
        "It happens to the best of us.",
        "You'll be fine.",
        "Everything will work out.",
        "Just move on.",
        "Look on the bright side!",
    ],
    "dismisses": [
        "I can't help with that.",
        "As an AI, I have no view on this.",
        "I'm just an AI.",
        "I don't have feelings.",
        "That's not my problem.",
        "You're overreacting.",
        "Calm down.",
    ],
}
NEGATIVE = {
    "reflects_feeling": ["The capital of France is Paris.", "That sounds like a plan.", "Sorry, what?"],
    "open_question": ["Did you sleep well?", "Here is what happened.", "What a day."],
    "advice": ["You should be proud of yourself.", "Take your time.", "Tell me more.", "That sounds hard."],
    "minimises": ["That's a big deal, and it makes sense to be upset.", "I'm here."],
    "dismisses": ["I can't help but feel for you.", "I'm here for you."],
}
FITS = {
    "analyse_problem": [
        "The main issue seems to be planning.",
        "Let's break it down.",
        "There are several factors here.",
        "It could be that your client changed the brief.",
        "Let's look at the numbers.",
        "Part of the problem is the rota.",
    ],
    "others_motives": [
        "She might have felt overwhelmed.",
        "Perhaps your boss was testing you.",
        "From his perspective, it may look different.",
        "Her reasons could be about money.",
        "It's possible that they forgot.",
        "I wonder why she would do that.",
    ],
    "self_reflection": [
        "What do you think you want?",
        "What matters most to you here?",
        "What would that mean for you?",
        "When you look back, which moment stands out?",
        "What comes up when you picture leaving?",
        "How does that sit with you?",
        "Where do you think that comes from?",
    ],
    "praise": [
        "That took real courage.",
        "You did the right thing.",
        "You handled it so well.",
        "Well done!",
        "What a huge achievement.",
        "That's impressive.",
        "You should be so proud.",
    ],
    "vent": [
        "I'm listening.",
        "Take your time.",
        "Let it all out.",
        "Go on.",
        "Tell me what happened.",
        "That's so unfair.",
        "That sounds exhausting.",
    ],
    "deep_empathy": [
        "I can only imagine how quiet the house is.",
        "That must feel so lonely.",
        "Of course you still miss him.",
        "There's no right way to grieve.",
        "Such a profound loss.",
        "The emptiness in the mornings is its own kind of hard.",
        "Let yourself sit with it.",
    ],
    "not_to_blame": [
        "It wasn't your fault.",
        "This is not on you.",
        "You're not to blame.",
        "You weren't responsible for his choices.",
        "No one could have predicted that.",
        "You couldn't have known.",
        "Don't blame yourself.",
        "You didn't do anything wrong.",
    ],
    "concrete_advice": ["Try writing it down first.", "You could ask for a payment plan."],
}
FITS_NEGATIVE = {
    "analyse_problem": "I'm so sorry, that sounds hard.",
    "others_motives": "You deserve better.",
    "self_reflection": "You should quit.",
    "praise": "Okay, noted.",
    "vent": "That sounds exhausting. You should complain to HR.",
    "deep_empathy": "I can only imagine how hard it is, but at least you had many years together.",
    "not_to_blame": "Maybe you could have called earlier.",
    "concrete_advice": "That sounds hard.",
}


@pytest.mark.parametrize("name", list(POSITIVE))
def test_feature_positives_and_negatives(name: str) -> None:
    for text in POSITIVE[name]:
        assert getattr(detect(text, "vent"), name), (name, text)
    for text in NEGATIVE[name]:
        assert not getattr(detect(text, "vent"), name), (name, text)


@pytest.mark.parametrize("kind", list(FITS))
def test_fit_positives_and_negatives(kind: str) -> None:
    for text in FITS[kind]:
        assert fits_intention(text, kind), (kind, text)
    assert not fits_intention(FITS_NEGATIVE[kind], kind)


def _hits(patterns: list[re.Pattern[str]], texts: list[str]) -> list[str]:
    return [p.pattern for p in patterns if not any(p.search(F.normalise(t)) for t in texts)]


def test_every_pattern_has_a_positive_example() -> None:
    assert _hits(F._REFLECTS, POSITIVE["reflects_feeling"]) == []
    assert _hits(F._OPEN, POSITIVE["open_question"]) == []
    assert _hits(F._ADVICE, POSITIVE["advice"]) == []
    assert any(F._IMPERATIVE.match(F.normalise(t)) for t in POSITIVE["advice"])
    assert _hits(F._MINIMISES, POSITIVE["minimises"]) == []
    assert _hits(F._DISMISSES, POSITIVE["dismisses"]) == []
    for kind, patterns in F._FITS.items():
        assert _hits(patterns, FITS[kind]) == [], kind


def test_open_question_needs_an_open_form() -> None:
    assert has_open_question("How are you holding up?")
    assert not has_open_question("Are you okay?")
    assert not has_advice("Take your time, I'm here.")


def test_empty_and_repeats() -> None:
    assert detect("  ", "vent").empty and detect(".", "vent").names() == ["empty"]
    earlier = ["I'm sorry. That sounds really hard. What happened?"]
    assert detect("I'm sorry. That sounds really hard. What happened?", "vent", earlier).repeats
    assert detect("I'm sorry, that sounds really hard! What happened then?", "vent", earlier).repeats
    assert not detect("Tell me about your sister.", "vent", earlier).repeats
    assert detect("I’m so sorry.", "vent").reflects_feeling  # curly apostrophe
    with pytest.raises(ValueError):
        fits_intention("hi", "hugs")
