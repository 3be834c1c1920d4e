"""End-to-end runs of both modes on the tiny random-weight model, and resuming."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from warmlab.errors import WarmlabError
from warmlab.results import flat, latest_rows, read_results
from warmlab.results.runner import EvalSettings, run_eval

SETTINGS = EvalSettings(args={"contexts": "none,sad"}, limit=1, max_tokens=8, batch_size=16)
CONTRACT = (
    "schema",
    "task",
    "model",
    "variant",
    "base",
    "mode",
    "sample_id",
    "item_id",
    "condition",
    "outcomes",
    "scorer",
    "output",
    "rationale",
    "output_chars",
)


def rel(path: Path) -> list[dict]:
    """Reliability rows with condition fields and outcomes lifted to the top (as the paper's tables read)."""
    return [flat(r) for r in read_results(path)]


def test_both_modes_write_tidy_rows(tiny_model: Path, tmp_path: Path) -> None:
    path = run_eval([str(tiny_model)], ["generate", "choice"], tmp_path, SETTINGS)
    assert all(set(CONTRACT) <= set(r) and r["task"] == "reliability" for r in read_results(path))
    rows = rel(path)
    assert len(rows) == 2 * 4 * 2 * 2  # modes x families x contexts x beliefs
    for r in rows:
        assert r["verdict"] in {"correct", "incorrect", "refusal", "unparsed", "undecided"}
        assert r["output_chars"] == len(r["output"])
        assert r["context_group"] == ("none" if r["context"] == "none" else "emotion")
    choice = [r for r in rows if r["mode"] == "choice"]
    assert {r["scorer"] for r in choice} == {"choice:token"}
    full = [r for r in read_results(path) if r["mode"] == "choice"]
    assert all({"verdict_sum", "verdict_token", "verdict_char"} <= set(r["outcomes"]) for r in full)
    assert all(r["verdict"] in {"correct", "incorrect"} for r in choice)
    assert {r["family"] for r in rows} == {"trivia", "truthful", "medical", "disinfo"}
    assert (tmp_path / "logs").is_dir() and any((tmp_path / "logs").iterdir())


def test_models_are_not_kept_after_their_eval(tiny_model: Path, tmp_path: Path) -> None:
    """inspect memoizes models, and looks up a model's info by building a second instance; neither may
    keep a study's models loaded (each is ~0.5 GiB for the embedded model)."""
    import gc
    import time

    from inspect_ai.model._model import _models

    from warmlab.provider import LoadedModel

    before = set(_models)
    loaded_before = {id(o) for o in gc.get_objects() if isinstance(o, LoadedModel)}
    run_eval([str(tiny_model), f"{tiny_model}@system=warm"], ["generate", "choice"], tmp_path, SETTINGS)
    time.sleep(2.5)  # the batcher's idle worker lets go
    gc.collect()
    assert set(_models) == before
    new = [o for o in gc.get_objects() if isinstance(o, LoadedModel) and id(o) not in loaded_before]
    assert len(new) <= 1  # the last one used, still in inspect's active-model context


def test_rerun_skips_finished_samples_and_completes_the_rest(tiny_model: Path, tmp_path: Path) -> None:
    path = run_eval([str(tiny_model)], ["choice"], tmp_path, SETTINGS)
    rows = read_results(path)
    # simulate a run killed part-way: keep half the rows and a half-written line
    kept = rows[: len(rows) // 2]
    path.write_text("".join(json.dumps(r) + "\n" for r in kept) + '{"model": "trunc')
    run_eval([str(tiny_model)], ["choice"], tmp_path, SETTINGS)
    again = read_results(path)
    assert len(again) == len(rows)
    assert again[: len(kept)] == kept  # finished rows untouched
    assert len({r["sample_id"] for r in again}) == len(rows)  # nothing repeated
    run_eval([str(tiny_model)], ["choice"], tmp_path, SETTINGS)  # nothing left to do
    assert len(read_results(path)) == len(rows)


def test_system_prompt_variant_is_its_own_variant(tiny_model: Path, tmp_path: Path) -> None:
    s = EvalSettings(args={"families": "trivia", "contexts": "none"}, limit=1, max_tokens=4, batch_size=8)
    path = run_eval([str(tiny_model), f"{tiny_model}@system=warm"], ["choice"], tmp_path, s)
    rows = [flat(r) for r in latest_rows(read_results(path))]
    assert {r["variant"] for r in rows} == {"base", "system=warm"}
    # the system prompt changes the context the answers are scored after
    by_variant = {r["variant"]: r["rationale"] for r in rows if r["belief"] == "none"}
    assert by_variant["base"] != by_variant["system=warm"]


def test_choice_mode_refuses_provider_models(tmp_path: Path) -> None:
    with pytest.raises(WarmlabError, match="choice mode needs a local model"):
        run_eval(["openai-api/x/y"], ["choice"], tmp_path, SETTINGS)


def test_unknown_names_are_user_errors(tiny_model: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    for field, value, msg in (
        ("families", "poetry", "unknown family"),
        ("contexts", "gloomy", "unknown context"),
        ("beliefs", "maybe", "unknown belief"),
    ):
        with pytest.raises(WarmlabError, match=msg):
            run_eval([str(tiny_model)], ["choice"], tmp_path, replace(SETTINGS, args={field: value}))
    assert not (tmp_path / "results.jsonl").exists()


def test_a_provider_that_cannot_be_used_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from warmlab.cli import main

    with pytest.raises(SystemExit) as e:
        main(["eval", "--model", "vllm/acme/model", "--limit", "1", "--out", str(tmp_path)])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("warmlab: error: cannot use model 'vllm/acme/model'") and "\n" not in err
    assert "[bold]" not in err
