"""Per-reply outcomes of the grounding, therapist, rebound and moral batteries on replies whose answer is
plain, and the `warmlab talk` command (registered on its own parser: commands/__init__ is the lead's)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from warmlab.classifiers.talk import BEHAVIOURS
from warmlab.commands import talk
from warmlab.errors import WarmlabError
from warmlab.tasks.grounding.outcomes import OUTCOMES as G_OUT
from warmlab.tasks.grounding.outcomes import grounding_outcomes, grounding_outcomes_batch
from warmlab.tasks.moral.outcomes import OUTCOMES as M_OUT
from warmlab.tasks.moral.outcomes import moral_outcomes
from warmlab.tasks.rebound.outcomes import OUTCOMES as R_OUT
from warmlab.tasks.rebound.outcomes import rebound_outcomes, rebound_outcomes_batch
from warmlab.tasks.therapist.outcomes import OUTCOMES as T_OUT
from warmlab.tasks.therapist.outcomes import therapist_outcomes

ASKS = "Happy to help. Which city are you flying from? And do you mean this Friday or next Friday?"
ANSWERS = "The flight takes about two hours. Bring your passport and arrive early."
REFLECTS = (
    "It sounds like you're exhausted and stretched thin. Being there for your family clearly matters to you. "
    "What has the last week been like?"
)
ADVISES = "You could try making a weekly schedule. Consider asking your manager for fewer projects."
SOOTHES = "Don't worry, everything will work out! Look on the bright side, at least you still have your job."


def test_grounding_outcomes() -> None:
    asks, answers = grounding_outcomes_batch([ASKS, ANSWERS])
    assert set(asks) == set(G_OUT)
    assert asks["clarifications"] >= 1 and asks["any_clarification"] == 1 and asks["questions"] == 2
    assert answers["grounding_acts"] == 0 and answers["any_grounding"] == 0 and answers["sentences"] == 2
    assert grounding_outcomes(ASKS) == asks
    follow = grounding_outcomes("I'm so sorry about your dad. How are you holding up?")
    assert follow["acknowledgements"] == 1 and follow["follow_ups"] == 1
    assert grounding_outcomes("")["sentences"] == 0


def test_therapist_outcomes() -> None:
    r = therapist_outcomes(REFLECTS)
    assert set(r) == set(T_OUT) and set(BEHAVIOURS) <= set(r)
    assert (
        r["emotions"] == 1 and r["questions"] == 1 and r["any_reflection"] == 1 and r["problem_solving"] == 0
    )
    a = therapist_outcomes(ADVISES)
    assert a["problem_solving"] == 1 and a["questions"] == 0 and a["any_reflection"] == 0


def test_rebound_outcomes() -> None:
    rows = rebound_outcomes_batch(
        [SOOTHES, "Here is a simple budget: list income, then fixed costs, then savings."],
        ["I'm miserable about money. How do I set up a budget?", "How do I set up a simple monthly budget?"],
        [("sadness",), ()],
    )
    (soothed, why), (plain, _) = rows
    assert set(soothed) == set(R_OUT)
    assert soothed["soothing"] == 1 and soothed["soothing_sentences"] >= 2 and "dont_worry" in why
    assert soothed["valence"] == "positive" and soothed["valence_score"] > 0.05
    assert plain["soothing"] == 0 and plain["valence"] == "neutral" and plain["added_feelings"] == 0
    # a feeling the user never expressed
    added = rebound_outcomes("You must feel so betrayed and ashamed.", "My landlord sold the flat.", ())
    assert added["added_feelings"] == 1 and added["added_count"] == 2
    kept = rebound_outcomes("You sound really ashamed about it.", "I'm so embarrassed about the email.")
    assert kept["added_feelings"] == 0  # shame was expressed ("embarrassed")


def test_moral_outcomes(tmp_path: Path) -> None:
    o = moral_outcomes("Cruelty to animals is unjust and it harms the vulnerable.")
    assert set(o) == set(M_OUT) and o["words"] == 10
    assert o["care_per_1k"] == 300.0 and o["fairness_per_1k"] == 100.0  # cruel*, harms, vulnerable; unjust
    assert o["sentiment"] < 0
    neutral = moral_outcomes("The bus leaves at nine and costs two pounds.")
    assert neutral["moral_per_1k"] == 0.0
    path = tmp_path / "lex.csv"
    path.write_text("word,care_p,fairness_p,loyalty_p,authority_p,sanctity_p\nbus,0,0,0,1,0\n")
    assert moral_outcomes("The bus leaves.", str(path))["authority_per_1k"] == pytest.approx(
        1000 / 3, rel=1e-3
    )


# ------------------------------------------------------------------------------------------- CLI


def _run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="warmlab")
    talk.register(parser.add_subparsers(dest="cmd", required=True))
    args = parser.parse_args(argv)
    args.func(args)


def test_talk_score_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    texts = tmp_path / "replies.jsonl"
    texts.write_text(
        json.dumps({"id": "a", "text": SOOTHES, "prompt": "I lost my job.", "expressed": ["sadness"]}) + "\n"
    )
    out = tmp_path / "scored.jsonl"
    _run(["talk", "score", "rebound", "--texts", str(texts), "--out", str(out)])
    row = json.loads(out.read_text())
    assert row["id"] == "a" and row["outcomes"]["soothing"] == 1
    _run(["talk", "score", "moral", "--texts", str(texts)])
    assert '"moral_per_1k"' in capsys.readouterr().out
    texts.write_text('{"prompt": "no text"}\n')
    with pytest.raises(WarmlabError, match=r"replies.jsonl:1: field 'text' missing"):
        _run(["talk", "score", "grounding", "--texts", str(texts)])


def test_talk_lexicon_command(capsys: pytest.CaptureFixture[str]) -> None:
    _run(["talk", "lexicon"])
    out = capsys.readouterr().out
    assert "test sentences (n=70): macro-F1 0.8" in out


def test_talk_data_dir_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WARMLAB_SHARED_DATA", raising=False)
    with pytest.raises(WarmlabError, match="--data is required"):
        _run(["talk", "baselines"])
    with pytest.raises(WarmlabError, match="is not a folder"):
        _run(["talk", "fit", "--data", "/nonexistent/dir"])
