"""Human baselines and outside test sets computed from ../shared/data (skipped when it is absent):
AnnoMI counsellor turns, BOLT's transcribed utterances, GoEmotions, OpenAssistant human replies."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from warmlab.classifiers import valence as V
from warmlab.classifiers.corpora import read_annomi, read_bolt, read_goemotions, read_oasst
from warmlab.classifiers.moral import FOUNDATIONS
from warmlab.classifiers.talk import BEHAVIOURS, is_heldout, load_meta
from warmlab.classifiers.therapist import PROBED, annomi_labels, behaviours
from warmlab.errors import WarmlabError
from warmlab.tasks.grounding.baselines import annomi_grounding, oasst_grounding
from warmlab.tasks.moral.baselines import oasst_moral, texts_moral
from warmlab.tasks.therapist.baselines import annomi_behaviour_profile, annomi_label_profile


def test_annomi_label_profile(shared_data: Path) -> None:
    p = annomi_label_profile(shared_data / "annomi")
    assert p["high"]["n"] == 4441 and p["low"]["n"] == 441
    # AnnoMI's own labels: high-quality counsellors reflect far more and lecture far less
    assert p["high"]["reflection"] == pytest.approx(1265 / 4441)
    assert p["low"]["reflection"] == pytest.approx(31 / 441)
    assert p["low"]["therapist_input"] == pytest.approx(145 / 441)
    assert p["high"]["therapist_input"] < p["low"]["therapist_input"]


def test_classified_baselines_on_a_sample(shared_data: Path) -> None:
    prof = annomi_behaviour_profile(shared_data / "annomi", limit=20)
    ground = annomi_grounding(shared_data / "annomi", limit=20)
    for q in ("high", "low"):
        assert prof[q]["n"] == 20 and set(BEHAVIOURS) <= set(prof[q])
        assert all(0.0 <= prof[q][b] <= 1.0 for b in BEHAVIOURS)
        assert ground[q]["n"] == 20 and 0 <= ground[q]["any_grounding"] <= 1
    oa = oasst_grounding(shared_data / "oasst_sample", limit=20)["all"]
    assert oa["n"] == 20 and oa["clarifications"] >= 0


def test_oasst_moral_baseline(shared_data: Path, tmp_path: Path) -> None:
    b = oasst_moral(shared_data / "oasst_sample")
    replies = [r for r in read_oasst(shared_data / "oasst_sample") if not r.synthetic and r.reply.strip()]
    assert b["all"]["n"] == len(replies) > 600
    assert 0 < b["all"]["moral_per_1k"] < 100
    assert 0 < b["opinion_requests"]["n"] < b["all"]["n"]
    assert set(f"{f}_per_1k" for f in FOUNDATIONS) <= set(b["all"])
    path = tmp_path / "human.jsonl"
    path.write_text('{"text": "It is unfair and cruel."}\n{"text": "The bus is late."}\n')
    mine = texts_moral(path)
    assert mine["n"] == 2 and mine["moral_per_1k"] == pytest.approx((2000 / 5 + 0) / 2)


@pytest.mark.slow  # embeds 270 long utterances (about 15 s on 2 idle cores)
def test_bolt_transcribed_utterances_outside_test(shared_data: Path) -> None:
    # never trained on: the probes' score on transcribed human therapy (another register than chat replies)
    outside = [u for u in read_bolt(shared_data / "bolt") if u.source == "finetune"]
    assert len(outside) == 270
    pred = behaviours([u.text for u in outside])
    record = load_meta("therapist")["heldout"]["per_behaviour"]
    f1s = []
    for b in PROBED:
        gold = [b in u.behaviours for u in outside]
        got = [bool(p[b]) for p in pred]
        tp = sum(g and p for g, p in zip(gold, got, strict=True))
        f1 = 2 * tp / (sum(gold) + sum(got)) if tp else 0.0
        assert f1 == pytest.approx(record[b]["bolt_transcribed"]["f1"]), b
        f1s.append(f1)
    assert sum(f1s) / len(f1s) >= 0.27  # measured 0.300
    assert record["problem_solving"]["bolt_transcribed"]["f1"] >= 0.48  # measured 0.53


def test_annomi_probe_on_heldout_transcripts(shared_data: Path) -> None:
    turns = [
        t
        for t in read_annomi(shared_data / "annomi")
        if t.speaker == "therapist" and is_heldout(t.transcript)
    ]
    sample = random.Random(0).sample(turns, 200)
    pred = annomi_labels([t.text for t in sample])
    acc = sum(p == t.behaviour for p, t in zip(pred, sample, strict=True)) / len(sample)
    assert acc >= 0.65  # measured 0.695 on this sample; 0.708 on all 1,506 held-out turns (macro-F1 0.672)


def test_valence_on_goemotions_test(shared_data: Path) -> None:
    rows = [
        (t, labs[0])
        for t, labs in read_goemotions(shared_data / "goemotions", "test")
        if len(labs) == 1 and labs[0] != "ambiguous"
    ]
    sample = random.Random(0).sample(rows, 600)
    vader = sum(V.valence(t)[0] == y for t, y in sample) / len(sample)
    probe = (
        sum(p == y for p, (_, y) in zip(V.probe_valence([t for t, _ in sample]), sample, strict=True)) / 600
    )
    assert vader >= 0.62 and probe >= 0.63  # measured 0.650 and 0.662 on this sample


def test_corpus_readers_name_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "AnnoMI-simple.csv").write_text(
        "transcript_id,mi_quality,topic,interlocutor,utterance_text,main_therapist_behaviour\n"
        "1,high,x,therapist,Hello,other\n2,medium,x,therapist,Hi,other\n"
    )
    with pytest.raises(WarmlabError, match=r"AnnoMI-simple.csv:3: mi_quality"):
        read_annomi(tmp_path)
    with pytest.raises(WarmlabError, match="does not exist"):
        read_bolt(tmp_path)
