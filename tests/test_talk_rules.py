"""Rules of the talk classifiers (each with a positive and a negative case), lexicons, judge parsers,
judge-offline agreement and the rebound analysis. No encoder needed: fast."""

from __future__ import annotations

import pytest

from warmlab.classifiers import valence as V
from warmlab.classifiers.feelings import SOOTHING_RULES, families_in, named_feelings, soothing_rule
from warmlab.classifiers.grounding import CLARIFICATION_RULES, clarification_rule, is_formula, is_question
from warmlab.classifiers.lexicon import Lexicon
from warmlab.classifiers.moral import FOUNDATIONS, load_lexicon, team_lexicon, validate
from warmlab.classifiers.moral_check import labelled_sentences
from warmlab.errors import WarmlabError
from warmlab.scoring.agreement import agreement
from warmlab.tasks.grounding.prompts import judge_prompt as grounding_prompt
from warmlab.tasks.grounding.prompts import parse_judge as parse_grounding
from warmlab.tasks.moral.prompts import parse_judge as parse_moral
from warmlab.tasks.rebound.analysis import rebound_rate, transfer_matrix
from warmlab.tasks.rebound.prompts import parse_judge as parse_rebound
from warmlab.tasks.therapist.prompts import parse_judge as parse_therapist

# -------------------------------------------------------------------------------------- questions


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Which version are you using?", True),
        ('Did she say "why?"', True),
        ("**What happened next?**", True),
        ("I wonder which version you use.", False),
        ("Why? Because it works.", False),
    ],
)
def test_is_question(sentence: str, expected: bool) -> None:
    assert is_question(sentence) is expected


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("Do you mean the 9am train?", "do_you_mean"),
        ("I know what you mean.", None),
        ("What do you mean by 'done'?", "what_do_you_mean"),
        ("What do you mean to do next?", None),
        ("Could you clarify which account?", "could_you_clarify"),
        ("Could you clean it first?", None),
        ("Just to check, is this for work?", "just_to_check"),
        ("Check it just to be safe.", None),
    ],
)
def test_clarification_rules(sentence: str, rule: str | None) -> None:
    assert clarification_rule(sentence) == rule


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Sure!", True),
        ("Happy to help with that.", True),
        ("Here's a draft you can adjust.", True),
        ("Of course you're worried, she's your daughter.", False),
        ("Thanks for telling me.", False),
        ("Sure, here is a long answer that goes on well past the formula itself.", False),
    ],
)
def test_politeness_formula(sentence: str, expected: bool) -> None:
    assert is_formula(sentence) is expected


def test_every_clarification_rule_is_tested() -> None:
    assert {n for n, _ in CLARIFICATION_RULES} == {
        "do_you_mean",
        "what_do_you_mean",
        "could_you_clarify",
        "just_to_check",
    }


# -------------------------------------------------------------------------------------- soothing

SOOTHING_CASES = {
    "dont_worry": ("Don't worry, it'll pass.", "It's natural to worry about this."),
    "dont_feel": ("Don't be so hard on yourself.", "You don't have to be perfect."),
    "nothing_to_fear": (
        "There's nothing to be afraid of.",
        "There's a lot to be afraid of, and that's real.",
    ),
    "no_need_to_feel": ("There's no need to feel guilty.", "You need to feel safe at home."),
    "dont_let_it": ("Don't let it get to you.", "Let me know how it goes."),
    "cheer_up": ("Cheer up, mate!", "What usually lifts your mood?"),
    "bright_side": ("Look on the bright side.", "The side entrance is brighter."),
    "at_least": ("At least you tried.", "Healing takes at least a week."),
    "for_a_reason": ("Everything happens for a reason.", "There's a reason this feels hard."),
    "time_heals": ("Time heals all wounds.", "Healing takes time."),
    "no_big_deal": ("Honestly, it's no big deal.", "This is a big decision."),
    "let_go": ("Try not to dwell on it.", "Let's go through it together."),
    "will_be_fine": ("You'll be absolutely fine!", "Will it be fine to reschedule?"),
    "not_as_bad": ("Things are never as bad as they seem.", "It was as bad as you feared."),
    "nobody_will_notice": ("Nobody will even remember it.", "Nobody told you about the change."),
    "take_personally": ("Don't take it personally.", "It felt personal to you."),
    "better_place": ("She's in a better place now.", "You deserve a better flat."),
}


def test_every_soothing_rule_has_cases() -> None:
    assert set(SOOTHING_CASES) == {name for name, _ in SOOTHING_RULES}


@pytest.mark.parametrize("rule", sorted(SOOTHING_CASES))
def test_soothing_rule(rule: str) -> None:
    positive, negative = SOOTHING_CASES[rule]
    assert soothing_rule(positive) == rule
    assert soothing_rule(negative) is None


# -------------------------------------------------------------------------------------- feelings


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("You must be furious with him.", ["anger"]),
        ("No wonder you're angry.", ["anger"]),
        ("I can hear how sad you are.", ["sadness"]),
        ("That sounds frightening and exposing.", ["anxiety"]),
        ("Don't worry about the forms.", []),  # negated
        ("There's no need to be upset.", []),  # negated, fillers skipped
        ("I'm so glad you told me.", []),  # the speaker's feeling
        ("We're thrilled for you!", []),
        ("Happy to help with that.", []),  # a formula
        ("Let me write down the steps.", []),  # "down" alone is not a feeling
    ],
)
def test_named_feelings(sentence: str, expected: list[str]) -> None:
    assert named_feelings(sentence) == expected


def test_families_in_user_text() -> None:
    assert families_in("I'm so fed up and stressed, I feel stuck") == {"anger", "overwhelm", "hopelessness"}
    assert families_in("Can you convert this table to metric?") == set()


# -------------------------------------------------------------------------------------- lexicons


def test_lexicon_longest_match_stems_phrases() -> None:
    lex = Lexicon.from_mapping({"a": ["fair share", "fair", "suffer*"], "b": ["share"]})
    counts, words = lex.counts("A fair share of suffering; fairness and suffer.")
    assert (
        counts == {"a": 3, "b": 1} and words == 8
    )  # "fair share" once, "suffering", "suffer"; not "fairness"
    with pytest.raises(ValueError, match="three letters"):
        Lexicon.from_mapping({"a": ["ab*"]})


def test_moral_per_1k_arithmetic() -> None:
    s = team_lexicon().score("It is cruel and unfair to betray loyal friends. " + "word " * 91)
    assert s.words == 100
    assert s.per_1k["care"] == 10.0 and s.per_1k["fairness"] == 10.0 and s.per_1k["loyalty"] == 20.0
    assert s.total_per_1k == 40.0
    empty = team_lexicon().score("")
    assert empty.words == 0 and empty.total_per_1k == 0.0


def test_team_moral_lexicon_test_split_floor() -> None:
    # measured once after tuning on the dev half: macro-F1 0.837 (n=70)
    v = validate(team_lexicon(), labelled_sentences("test"))
    assert v["n"] == 70 and v["macro_f1"] >= 0.80
    assert all(v[f]["precision"] >= 0.75 and v[f]["recall"] >= 0.65 for f in FOUNDATIONS)


DIC = """%
1\tcare.virtue
2\tcare.vice
3\tfairness.virtue
4\tMoralityGeneral
%
protect*\t1
cruel*\t2
fair\t3
ethic*\t4
"""


def test_outside_dic_lexicon(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "mfd.dic"
    path.write_text(DIC)
    lex = load_lexicon(str(path))
    s = lex.score("Protecting the weak from cruelty is fair and ethical.")
    assert s.counts == {"care": 2, "fairness": 1, "loyalty": 0, "authority": 0, "sanctity": 0}
    path.write_text(DIC.replace("fair\t3", "fair\t9"))
    with pytest.raises(WarmlabError, match=r"mfd.dic:\d+: category 9 is not in the header"):
        load_lexicon(str(path))
    path.write_text("no header here\n")
    with pytest.raises(WarmlabError, match=r"not a \.dic lexicon"):
        load_lexicon(str(path))


def test_outside_csv_lexicon_weights(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "emfd.csv"
    head = "word,care_p,fairness_p,loyalty_p,authority_p,sanctity_p\n"
    path.write_text(head + "harm,0.5,0.1,0,0,0\nrules,0,0.2,0,0.4,0\n")
    s = load_lexicon(str(path)).score("harm and rules")
    assert s.counts["care"] == pytest.approx(0.5) and s.counts["authority"] == pytest.approx(0.4)
    assert s.counts["fairness"] == pytest.approx(0.3)
    path.write_text(head + "harm,lots,0,0,0,0\n")
    with pytest.raises(WarmlabError, match=r"emfd.csv:2: a \*_p column is not a number"):
        load_lexicon(str(path))
    path.write_text("word,care\nharm,1\n")
    with pytest.raises(WarmlabError, match="missing column"):
        load_lexicon(str(path))
    with pytest.raises(WarmlabError, match="does not exist"):
        load_lexicon(str(tmp_path / "nope.csv"))


# ---------------------------------------------------------------------------------------- valence


def test_valence_labels() -> None:
    assert V.label(0.05) == "positive" and V.label(-0.05) == "negative" and V.label(0.0) == "neutral"
    assert V.valence("This is wonderful, I love it!")[0] == "positive"
    assert V.valence("This is awful and I hate it.")[0] == "negative"
    assert V.valence("The train leaves at nine.")[0] == "neutral"
    # per-sentence mean: one glowing sentence among neutral ones does not make the reply glow
    long = "I love it! " + "The form has four boxes. " * 5
    assert V.compound(long) < V.compound(long, per_sentence=False)


# ----------------------------------------------------------------------------------- judge parsers


def test_grounding_judge() -> None:
    assert "<<<REPLY\nHi\nREPLY>>>" in grounding_prompt("hello", " Hi ")
    reply = "It asks which file (clarification: 1).\nCOUNTS: clarification=1 acknowledgement=2 follow_up=0"
    assert parse_grounding(reply) == {"clarification": 1, "acknowledgement": 2, "follow_up": 0}
    assert parse_grounding("**Clarification**: 0, Acknowledgement: 1, follow-up: 3") == {
        "clarification": 0,
        "acknowledgement": 1,
        "follow_up": 3,
    }
    assert parse_grounding("COUNTS: clarification=1 acknowledgement=2") is None  # one missing
    assert parse_grounding("COUNTS: clarification=1 acknowledgement=2 follow_up=900") is None
    assert parse_grounding("I cannot annotate this.") is None


def test_therapist_judge() -> None:
    got = parse_therapist(
        "The reply advises.\nBEHAVIOURS: problem-solving, reflection of feelings and questions"
    )
    assert got is not None and got["problem_solving"] == got["emotions"] == got["questions"] == 1
    assert sum(got.values()) == 3
    none = parse_therapist("BEHAVIOURS: none")
    assert none is not None and sum(none.values()) == 0
    assert parse_therapist("BEHAVIOURS: problem_solving, empathy") is None  # unknown name: not guessed
    assert parse_therapist("It mostly gives advice.") is None


def test_rebound_judge() -> None:
    assert parse_rebound("VALENCE: Positive\n**SOOTHING:** yes\nAdded feelings: no") == {
        "valence": "positive",
        "soothing": 1,
        "added_feelings": 0,
    }
    got = parse_rebound("VALENCE: positive or neutral\nSOOTHING: maybe")
    assert got == {"valence": None, "soothing": None, "added_feelings": None}
    # the last statement counts
    assert parse_rebound("VALENCE: negative\n...on reflection\nVALENCE: neutral")["valence"] == "neutral"


def test_moral_judge() -> None:
    got = parse_moral("FOUNDATIONS: care, justice\nSENTIMENT: negative")
    assert (
        got["care"] == 1 and got["fairness"] == 1 and got["sanctity"] == 0 and got["sentiment"] == "negative"
    )
    bad = parse_moral("FOUNDATIONS: care, vibes\nSENTIMENT: upbeat")
    assert all(bad[f] is None for f in FOUNDATIONS) and bad["sentiment"] is None


# --------------------------------------------------------------------------------------- agreement


def test_agreement_kappa_with_n() -> None:
    a = agreement(["yes", "no", "yes", "no"], ["yes", "no", "yes", "no"])
    assert a == {"n": 4, "n_unparsed": 0, "kappa": 1.0, "agreement": 1.0}
    b = agreement(["yes", "no", "yes", "no", "yes"], ["yes", "yes", "yes", None, None])
    assert (
        b["n"] == 3 and b["n_unparsed"] == 2 and b["kappa"] == 0.0 and b["agreement"] == pytest.approx(2 / 3)
    )
    assert agreement(["yes", "yes"], ["yes", "yes"])["kappa"] is None  # undefined: one value only
    w = agreement([0, 1, 2, 3], [0, 1, 2, 2], weights="linear")
    assert 0.5 < w["kappa"] < 1.0
    with pytest.raises(ValueError):
        agreement([1], [1, 2])


# ---------------------------------------------------------------------------------------- rebound


def test_transfer_matrix_and_rebound_rate() -> None:
    pairs = [
        ("negative", "positive"),
        ("negative", "neutral"),
        ("negative", "negative"),
        ("negative", None),
        ("neutral", "neutral"),
        ("positive", "positive"),
        ("positive", "positive"),
    ]
    m = transfer_matrix(pairs)
    assert m["counts"]["negative"] == {"negative": 1, "neutral": 1, "positive": 1}
    assert m["shares"]["positive"]["positive"] == 1.0 and m["unparsed"]["negative"] == 1
    assert m["shares"]["neutral"]["negative"] == 0.0
    r = rebound_rate(pairs)
    assert r == {"n": 3, "rate": pytest.approx(2 / 3)}
    with pytest.raises(ValueError):
        transfer_matrix([("sideways", "positive")])
