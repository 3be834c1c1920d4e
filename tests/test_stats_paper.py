"""The paper's sample_data layout (synthetic CSVs in the upstream format) and the paper's refusal rule."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from warmlab.errors import WarmlabError
from warmlab.stats import analyse
from warmlab.stats.paper import belief_of, context_of, is_paper_refusal, load_paper_layout

TEMPLATES = ("original", "original_neutral", "incorrect", "correct")
AMENDMENTS = ("unmodified", "emotion:sad", "emotion:anger", "relation:hierarchical_up", "stake:high")
ITEM_COLUMN = {
    "trivia": "content_key",
    "truthfulqa": "content_key",
    "disinfo": "prompt_disinfo",
    "medqa": "original_question",
}


def write_layout(root: Path, n_items: int = 12, seed: int = 0) -> Path:
    """MODEL/original|warm/FAMILY_original|warm_outputs.csv with upstream columns; warm errs more."""
    rng = np.random.default_rng(seed)
    for model in ("llama_tiny", "qwen_tiny"):
        for variant in ("original", "warm"):
            d = root / "sample_data" / model / variant
            d.mkdir(parents=True)
            for fam, icol in ITEM_COLUMN.items():
                # upstream files differ: medqa names the template column prompt_type
                pcol = "prompt_type" if fam == "medqa" else "prompt_template"
                with (d / f"{fam}_{variant}_outputs.csv").open("w", newline="", encoding="utf-8") as f:
                    w = csv.writer(f)
                    w.writerow([icol, pcol, "amendment_type", "output", "evaluation"])
                    for i in range(n_items):
                        for t in TEMPLATES:
                            for a in AMENDMENTS:
                                if t == "original_neutral" and a != "unmodified":
                                    continue
                                p = 0.45 if variant == "warm" and t == "incorrect" else 0.2
                                wrong = rng.random() < p
                                out = f"Answer to question {i},\nwith a comma."
                                w.writerow([f"Q{i}?", t, a, out, "INCORRECT" if wrong else "CORRECT"])
    return root / "sample_data"


def test_upstream_values_map_onto_warmlab_conditions() -> None:
    assert belief_of("original") == belief_of("original_neutral") == "none"
    assert belief_of("incorrect") == "asserts_incorrect"
    assert belief_of("correct") == "denies_correct"
    assert belief_of("something") is None
    assert context_of("unmodified") == ("none", "none")
    assert context_of("emotion:anger") == ("angry", "emotion")
    assert context_of("relation:hierarchical_up") == ("admiring", "relation")
    assert context_of("relation:hierarchical_down") == ("dismissive", "relation")
    assert context_of("stake:low") == ("low", "stakes")


def test_paper_refusal_rule_is_the_phrase_list() -> None:
    assert is_paper_refusal("I'm sorry, but I cannot help with that.")
    assert is_paper_refusal("AS AN AI I think Paris.")  # case-insensitive, no check for an answer
    assert is_paper_refusal("Honestly I cant, sorry")  # "i cant," as upstream
    assert is_paper_refusal("i cantx")  # the upstream pattern is an unescaped regex: "." is any character
    assert not is_paper_refusal("The answer is Paris.")
    assert not is_paper_refusal("I can’t help with that.")  # upstream lists only the straight apostrophe
    assert not is_paper_refusal(None)


def test_loader_reads_the_layout(tmp_path: Path) -> None:
    root = write_layout(tmp_path)
    rows, warnings = load_paper_layout(root)
    assert not warnings
    n_per_file = 12 * (3 * len(AMENDMENTS) + 1)
    assert len(rows) == 2 * 2 * 4 * n_per_file
    assert {r["variant"] for r in rows} == {"base", "warm"}
    assert {r["model"] for r in rows} == {"llama_tiny", "llama_tiny/warm", "qwen_tiny", "qwen_tiny/warm"}
    assert {r["family"] for r in rows} == {"trivia", "truthful", "disinfo", "medical"}
    assert {r["context"] for r in rows} == {"none", "sad", "angry", "admiring", "high"}
    r = next(r for r in rows if r["family"] == "medical" and r["belief"] == "denies_correct")
    assert r["item_id"].startswith("medqa:Q") and r["output"].startswith("Answer to question")
    # one model folder given directly also works
    one, _ = load_paper_layout(root / "llama_tiny")
    assert len(one) == len(rows) // 2


def test_analysis_of_the_layout_with_both_refusal_rules(tmp_path: Path) -> None:
    root = write_layout(tmp_path)
    rows, _ = load_paper_layout(root)
    # Refusals only the paper's phrase list sees ("I cannot be sure, but it is X" answers for our detector)
    for r in rows[:40]:
        r["output"] = "I cannot be completely sure, but the answer is definitely Paris."
    ours = analyse(rows, bootstrap=0)
    paper = analyse(rows, refusal_rule="paper", bootstrap=0)
    assert ours["meta"]["n_refusals"] == 0
    assert paper["meta"]["n_refusals"] == 40
    # the first 40 rows are disinfo (refusal = correct under both rules); make 40 trivia ones refuse too
    assert {r["family"] for r in rows[:40]} == {"disinfo"}
    assert paper["meta"]["n_scored"] == ours["meta"]["n_scored"]
    trivia = [r for r in rows if r["family"] == "trivia"][:40]
    for r in trivia:
        r["output"] = "I cannot be completely sure, but the answer is definitely Paris."
    paper = analyse(rows, refusal_rule="paper", bootstrap=0)
    assert paper["meta"]["n_refusals"] == 80
    assert paper["meta"]["n_scored"] == ours["meta"]["n_scored"] - 40
    assert ours["meta"]["duplicates_dropped"] == 0  # original and original_neutral stay apart
    m = ours["models"]["generate"]["warm"]
    assert m["belief"]["status"] == "ok"
    level = {e["level"]: e for e in m["belief"]["ame_by_level"]}
    assert level["asserts_incorrect"]["estimate"] > level["none"]["estimate"]
    # two models: a model fixed effect
    assert any(c["term"] == "model[qwen_tiny]" for c in m["belief"]["coefficients"])
    paired = [e for e in ours["paired"] if e["level"] == "overall"]
    assert {e["base"] for e in paired} == {"llama_tiny", "qwen_tiny"}
    json.dumps(paper, allow_nan=False)


def test_disinfo_refusals_count_as_correct_under_the_paper_rule(tmp_path: Path) -> None:
    rows, _ = load_paper_layout(write_layout(tmp_path, n_items=4))
    dis = [r for r in rows if r["family"] == "disinfo"]
    for r in dis:
        r["evaluation"] = "incorrect"
        r["output"] = "As an AI, I must remain neutral."
    res = analyse(rows, refusal_rule="paper", bootstrap=0)
    rates = [e for e in res["error_rates"] if e["level"] == "family" and e["family"] == "disinfo"]
    assert rates and all(e["rate"] == 0.0 and e["n_scored"] == e["n_rows"] for e in rates)


def test_cli_paper_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from warmlab.cli import main

    out = tmp_path / "s.json"
    main(["stats", "--paper-layout", str(write_layout(tmp_path)), "--bootstrap", "0", "--out", str(out)])
    assert json.loads(out.read_text(encoding="utf-8"))["meta"]["bases"] == ["llama_tiny", "qwen_tiny"]
    with pytest.raises(SystemExit) as e:
        main(["stats", "--paper-layout", str(tmp_path / "nope")])
    assert e.value.code == 2
    assert "no such folder" in capsys.readouterr().err


def test_missing_columns_are_a_user_error(tmp_path: Path) -> None:
    d = tmp_path / "m" / "original"
    d.mkdir(parents=True)
    (d / "trivia_original_outputs.csv").write_text("content_key,output\nQ,A\n", encoding="utf-8")
    with pytest.raises(WarmlabError, match="missing column"):
        load_paper_layout(tmp_path)
