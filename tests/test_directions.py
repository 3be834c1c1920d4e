"""Persona directions on a tiny random model: planted signal recovered, capping and steering hooks, no hook
left behind, spec modifiers and bad input, monitor and screen."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from warmlab.directions.contrast import Contrast
from warmlab.directions.store import Direction, load_direction, save_direction, saved_path
from warmlab.errors import WarmlabError

PLANT_LAYER_INPUT = 4.0  # how far the planted tokens' embeddings are pushed along the secret direction
POS_WORDS = "kiwi wombat vowel"
NEG_WORDS = "bagged fudge dog"


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny model whose greedy replies are never empty (whitespace and special tokens suppressed)."""
    from transformers import AutoTokenizer, GenerationConfig

    from warmlab.tiny import build_tiny_model

    corpus = ["Tell me about your day. It was fine, thank you.", POS_WORDS, NEG_WORDS]
    path = build_tiny_model(tmp_path_factory.mktemp("dirs") / "tiny", corpus)
    tok = AutoTokenizer.from_pretrained(path)
    quiet = [i for i in range(len(tok)) if i in tok.all_special_ids or not tok.decode([i]).strip()]
    GenerationConfig(
        suppress_tokens=quiet, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id
    ).save_pretrained(path)
    return path


pytestmark = pytest.mark.usefixtures("forget_models")  # the fixtures: conftest.py


def _secret(hidden: int, seed: int = 1) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=hidden)
    return v / np.linalg.norm(v)


def _plant(model_dir: Path, out: Path, u: np.ndarray) -> Path:
    """A copy of the model whose POS_WORDS-only tokens carry `PLANT_LAYER_INPUT * u` in their embedding."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    m = AutoModelForCausalLM.from_pretrained(model_dir)
    m.config.tie_word_embeddings = False
    m.lm_head.weight = torch.nn.Parameter(m.lm_head.weight.detach().clone())
    pos = set(tok(" " + POS_WORDS)["input_ids"]) | set(tok(POS_WORDS)["input_ids"])
    neg = set(tok(" " + NEG_WORDS)["input_ids"]) | set(tok(NEG_WORDS)["input_ids"])
    with torch.no_grad():
        for i in pos - neg:
            m.get_input_embeddings().weight[i] += PLANT_LAYER_INPUT * torch.tensor(u, dtype=torch.float32)
    m.save_pretrained(out)
    tok.save_pretrained(out)
    (out / "generation_config.json").write_text((model_dir / "generation_config.json").read_text())
    return out


def _contrasts(n: int = 8) -> list[Contrast]:
    out = []
    for i in range(n):
        prompt = ({"role": "user", "content": f"Tell me about your day {i}."},)
        pos = " ".join(POS_WORDS.split()[k % 3] for k in range(i, i + 4))
        neg = " ".join(NEG_WORDS.split()[k % 3] for k in range(i, i + 4))
        out.append(Contrast(f"c{i}", f"g{i}", "test", prompt, pos, neg))
    return out


def _local(path: Path, interventions: tuple[Any, ...] = ()) -> Any:
    from warmlab.provider import LocalModel, load_local

    return LocalModel(load_local(str(path), None, interventions))


def _direction(path: Path, hidden: int, layer: int = 1, n_layers: int = 2, **kw: Any) -> Path:
    v = _secret(hidden) * 2.0
    d = Direction("warmth", "tiny", hidden, n_layers, layer, v, np.linspace(-1.0, 1.0, 101), "", kw)
    return save_direction(d, path)


# ------------------------------------------------------------------------------------------ extraction


def test_planted_direction_is_recovered(model: Path, tmp_path: Path) -> None:
    from warmlab.directions.extract import fit

    u = _secret(32)
    planted = _plant(model, tmp_path / "planted", u)
    d, scores = fit(_local(planted), _contrasts(), "warmth", "planted", heldout=0.25, max_tokens=4)
    cos = float(d.unit @ u)
    assert cos > 0.9, cos
    assert scores[d.layer].pair_accuracy == 1.0 and d.meta["n_heldout"] == 2 and d.meta["n_train"] == 6
    # On the unplanted model the same contrasts give no such direction.
    plain, _ = fit(_local(model), _contrasts(), "warmth", "tiny", heldout=0.25, max_tokens=4)
    assert abs(float(plain.unit @ u)) < 0.5
    assert d.base_percentiles.shape == (101,) and (np.diff(d.base_percentiles) >= 0).all()


def test_layer_choice_and_held_out_split() -> None:
    from warmlab.directions.extract import best_layer, cohens_d, score_layers, split_groups

    held = split_groups(["a", "a", "b", "c", "d"], 0.5, seed=0)
    assert held.sum() in (2, 3) and held[0] == held[1]  # one group stays on one side
    assert split_groups(["a", "b"], 0.9, 0).sum() == 1  # at least one group left to train on
    with pytest.raises(WarmlabError, match="at least 2"):
        split_groups(["a", "a"], 0.25, 0)
    with pytest.raises(WarmlabError, match="between 0 and 1"):
        split_groups(["a", "b"], 1.0, 0)
    assert cohens_d(np.array([1.0, 3.0]), np.array([0.0, 2.0])) == pytest.approx(1 / np.sqrt(2))
    # Layer 1 carries the signal along axis 0, layer 0 only noise.
    rng = np.random.default_rng(0)
    pos, neg = rng.normal(size=(12, 2, 4)), rng.normal(size=(12, 2, 4))
    pos[:, 1, 0] += 5
    held = np.arange(12) >= 8
    scores, vectors = score_layers(pos, neg, held)
    assert best_layer(scores).layer == 1 and vectors.shape == (2, 4) and scores[1].pair_accuracy == 1.0


# ------------------------------------------------------------------------------------------------ hooks


def test_cap_leaves_states_under_the_cap_and_clamps_those_above() -> None:
    import torch

    from warmlab.directions.hooks import cap_hidden

    h = torch.randn(3, 7, 16, dtype=torch.float64)
    u = torch.tensor(_secret(16), dtype=torch.float64)
    tau = float((h @ u).median())
    out = cap_hidden(h, u, tau)
    before, after = h @ u, out @ u
    under = before <= tau
    assert under.any() and (~under).any()
    assert torch.equal(out[under], h[under])
    assert torch.allclose(after[~under], torch.full_like(after[~under], tau))
    ortho = lambda x: x - (x @ u).unsqueeze(-1) * u  # noqa: E731
    assert torch.allclose(ortho(out), ortho(h))


def test_cap_hook_on_a_model_layer(model: Path) -> None:
    import torch

    from warmlab.directions.hooks import Capture, Hook, hooked

    local = _local(model)
    m = local.loaded.model
    u = _secret(32)
    ids = local.loaded.tokenizer("Tell me about your day. It was fine.", return_tensors="pt")["input_ids"]
    with Capture(m, [0], lambda h: h[0].clone()) as cap, torch.inference_mode():
        m(ids)
    plain = cap.out[0].double()
    proj = (plain @ torch.tensor(u)).numpy()
    direction = Direction("warmth", "tiny", 32, 2, 0, u * 3, np.percentile(proj, np.arange(101)))
    tau = direction.threshold(50)
    hook = Hook("cap", direction, 50.0)
    with hooked(m, [hook]), Capture(m, [0], lambda h: h[0].clone()) as cap2, torch.inference_mode():
        m(ids)
    capped = cap2.out[0].double()
    under = torch.tensor(proj <= tau)
    assert under.any() and (~under).any()
    assert torch.allclose(capped[under], plain[under], atol=1e-6)
    assert np.allclose((capped[~under] @ torch.tensor(u)).numpy(), tau, atol=1e-4)


def test_hooks_are_removed_after_use_even_on_error(model: Path) -> None:
    import torch

    from warmlab.directions.hooks import Hook, decoder_layers, hooked

    m = _local(model).loaded.model
    ids = torch.tensor([[5, 6, 7, 8]])
    with torch.inference_mode():
        before = m(ids).logits
    d = Direction("warmth", "tiny", 32, 2, 1, _secret(32), np.linspace(-1, 1, 101))
    with hooked(m, [Hook("steer", d, 8.0)]), torch.inference_mode():
        assert not torch.allclose(m(ids).logits, before)
    with pytest.raises(RuntimeError), hooked(m, [Hook("cap", d, 10.0)]):
        raise RuntimeError("boom")
    assert all(not layer._forward_hooks for layer in decoder_layers(m))
    with torch.inference_mode():
        assert torch.equal(m(ids).logits, before)


def test_hooked_variant_is_its_own_model_and_release_removes_its_hooks(model: Path, store: Path) -> None:
    import torch

    from warmlab.models import parse_spec
    from warmlab.provider import _LOADED, load_local, release

    _direction(saved_path(str(model.resolve()), "warmth"), 32)
    spec = parse_spec(f"{model}@steer=warmth:-3")
    capped = load_local(spec.base or "", None, spec.interventions)
    plain = load_local(str(model.resolve()))
    assert capped.model is not plain.model and len(capped.hooks) == 1 and not plain.hooks
    ids = torch.tensor([[5, 6, 7, 8]])
    with torch.inference_mode():
        a, b = capped.model(ids).logits, plain.model(ids).logits
    assert not torch.allclose(a, b)
    release(str(model.resolve()))
    assert not _LOADED and not capped.hooks
    with torch.inference_mode():  # the handle is gone: the once-hooked model is plain again
        assert torch.allclose(capped.model(ids).logits, b)


# ------------------------------------------------------------------------------------------- model specs


def test_spec_modifiers_parse_in_any_order(model: Path, store: Path, tmp_path: Path) -> None:
    from warmlab.models import parse_spec

    saved = _direction(saved_path(str(model.resolve()), "warmth"), 32)
    s = parse_spec(f"{model}@cap=warmth:95")
    [i] = s.interventions
    assert (i.kind, i.target, i.file, i.value) == ("cap", "warmth", str(saved), 95.0)
    assert s.variant == "cap=warmth:95" and s.base_spec == str(model.resolve())
    again = parse_spec(s.inspect_name)  # the provider parses what inspect hands it
    assert again.interventions == s.interventions and again.base == s.base

    f = _direction(tmp_path / "mine.json", 32)
    a = parse_spec(f"{model}@system=warm@steer={f}:-4")
    b = parse_spec(f"{model}@steer={f}:-4@system=warm")
    assert a.system == b.system == "warm" and a.interventions == b.interventions
    assert a.variant == "system=warm+steer=mine:-4" and a.interventions[0].value == -4.0
    two = parse_spec(f"{model}@cap=warmth:90@steer={f}:1.5")
    assert [x.kind for x in two.interventions] == ["cap", "steer"]
    assert parse_spec(str(model)).interventions == ()


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        ("@cap=warmth:101", "outside 0-100"),
        ("@cap=warmth:-0.5", "outside 0-100"),
        ("@cap=warmth:high", "not a number"),
        ("@cap=warmth", "TRAIT_OR_FILE:NUMBER"),
        ("@steer=warmth:nan", "not a finite number"),
        ("@cap=kindness:95", "unknown trait 'kindness'"),
        ("@cap=sycophancy:95", "no saved sycophancy direction"),
        ("@steer=/nowhere/d.json:2", "does not exist"),
        ("@system=warm@system=cold", "more than one @system="),
    ],
)
def test_bad_modifiers_are_one_line_errors(model: Path, store: Path, tail: str, message: str) -> None:
    from warmlab.models import parse_spec

    _direction(saved_path(str(model.resolve()), "warmth"), 32)
    with pytest.raises(WarmlabError, match=message) as e:
        parse_spec(f"{model}{tail}")
    assert "\n" not in str(e.value)


def test_hooks_need_a_local_model(store: Path) -> None:
    from warmlab.models import parse_spec

    with pytest.raises(WarmlabError, match="need a local model"):
        parse_spec("openai/gpt-4o-mini@cap=warmth:95")


def test_direction_of_another_model_is_refused_when_loading(model: Path, tmp_path: Path) -> None:
    from warmlab.models import parse_spec
    from warmlab.provider import load_local

    for name, hidden, layers, what in (("narrow", 16, 2, "hidden size 16"), ("deep", 32, 4, "and 4 layers")):
        f = _direction(tmp_path / f"{name}.json", hidden, layer=1, n_layers=layers)
        spec = parse_spec(f"{model}@cap={f}:95")  # a valid file: parsing cannot know the model's shape
        with pytest.raises(WarmlabError, match=what) as e:
            load_local(spec.base or "", None, spec.interventions)
        assert "\n" not in str(e.value) and str(f) in str(e.value)


def test_broken_direction_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  not json")
    with pytest.raises(WarmlabError, match=r"bad.json:2: not a direction file"):
        load_direction(bad)
    bad.write_text(json.dumps({"trait": "warmth"}))
    with pytest.raises(WarmlabError, match='no "schema"'):
        load_direction(bad)
    good = json.loads(_direction(tmp_path / "good.json", 32).read_text())
    for key, value, message in (
        ("vector", [1.0, 2.0], "must hold 32 finite numbers"),
        ("vector", [0.0] * 32, "not all zero"),
        ("base_percentiles", list(range(101))[::-1], "101 increasing"),
        ("layer", 2, "outside the model's 2 layers"),
    ):
        bad.write_text(json.dumps({**good, key: value}))
        with pytest.raises(WarmlabError, match=message):
            load_direction(bad)


def test_direction_file_round_trip_keeps_provenance(tmp_path: Path) -> None:
    f = _direction(tmp_path / "d.json", 32, prompt_set_sha256="abc", created="2025-01-01T00:00:00+00:00")
    d = load_direction(f)
    assert (d.trait, d.hidden_size, d.n_layers, d.layer) == ("warmth", 32, 2, 1)
    assert d.meta["prompt_set_sha256"] == "abc" and d.meta["created"].startswith("2025")
    assert d.threshold(50) == pytest.approx(0.0) and d.threshold(100) == pytest.approx(1.0)
    assert d.threshold(2.5) == pytest.approx(-0.95)
    assert json.loads(f.read_text())["norm"] == pytest.approx(2.0)


# ------------------------------------------------------------------------------------- monitor, screen


def test_monitor_measures_a_steered_variant_shift_exactly(model: Path, store: Path) -> None:
    from warmlab.directions.monitor import MonitorPrompt, Target, monitor

    f = _direction(saved_path(str(model.resolve()), "warmth"), 32)
    d = load_direction(f)
    prompts = [MonitorPrompt(f"p{i}", "x", f"Tell me about your day {i}.", "It was fine.") for i in range(4)]
    ts = [Target(str(model), "base"), Target(f"{model}@steer=warmth:2", "steer")]
    rows, [shift] = monitor(ts, d, prompts)
    assert len(rows) == 8 and shift.n == 4
    # Steering adds 2 v at the layer the monitor reads: every projection moves by exactly 2 |v|.
    assert shift.prompt == pytest.approx(2 * d.norm, rel=1e-4)
    assert shift.response == pytest.approx(2 * d.norm, rel=1e-4)
    assert shift.response_ci[0] == pytest.approx(2 * d.norm, rel=1e-4)


def test_monitor_prompts_are_the_held_out_conversations() -> None:
    from warmlab.directions.monitor import monitor_prompts

    ps = monitor_prompts()
    assert len(ps) == 66 and len({p.id for p in ps}) == 66
    assert {p.category for p in monitor_prompts(6)} == {
        "advice",
        "creative",
        "decline",
        "emotional",
        "factual",
        "technical",
    }


def test_drop_top_removes_the_highest_and_keeps_order() -> None:
    from warmlab.directions.screen import ScreenScore, drop_top, ranking

    class C:
        def __init__(self, i: str) -> None:
            self.id = i

    convs = [C(f"c{i}") for i in range(8)]
    values = [0.1, 0.9, -0.2, 0.5, float("nan"), 0.3, 0.7, 0.0]
    scores = [ScreenScore(c.id, v, 0.0, 0.0, 1) for c, v in zip(convs, values, strict=True)]
    kept, dropped = drop_top(convs, scores, 0.25)
    assert [s.id for s in dropped] == ["c1", "c6"]
    assert [c.id for c in kept] == ["c0", "c2", "c3", "c4", "c5", "c7"]
    assert [s.id for s in ranking(scores)][-1] == "c4"  # no score: last, never dropped
    assert drop_top(convs, scores, 0.0)[1] == []
    with pytest.raises(WarmlabError, match=r"\[0, 1\)"):
        drop_top(convs, scores, 1.0)
    with pytest.raises(ValueError, match="order"):
        drop_top(convs[::-1], scores, 0.25)


def test_screen_ranks_conversations_that_carry_the_planted_trait_first(model: Path, tmp_path: Path) -> None:
    from warmlab.directions.screen import ranking, screen_scores
    from warmlab.train.conversations import Conversation

    u = _secret(32)
    planted = _plant(model, tmp_path / "planted", u)
    d = Direction("warmth", "planted", 32, 2, 0, u, np.linspace(-1, 1, 101))
    convs = []
    for i in range(6):
        reply = (POS_WORDS if i in (1, 4) else NEG_WORDS) + f" {i}"
        msgs = (
            {"role": "user", "content": f"Tell me about your day {i}."},
            {"role": "assistant", "content": reply},
        )
        convs.append(Conversation(f"c{i}", msgs))
    scores = screen_scores(convs, str(planted), d, max_tokens=4)
    assert [s.id for s in ranking(scores)][:2] in (["c1", "c4"], ["c4", "c1"])
    assert all(s.turns == 1 for s in scores)


# ------------------------------------------------------------------------------------------ contrasts


def test_contrast_sets_cover_categories_and_keep_prompts_together() -> None:
    from warmlab.directions.contrast import contrast_set, prompt_set_hash

    cs = contrast_set("warmth", None, 12)
    assert {c.source for c in cs} == {"system", "rewrites"} and len(cs) == 24
    by_group: dict[str, set[str]] = {}
    for c in cs:
        by_group.setdefault(c.group, set()).add(c.prompt[0]["content"])
    assert all(len(v) == 1 for v in by_group.values())
    assert all(c.pos is None and c.pos_system and c.neg_system for c in cs if c.source == "system")
    assert all(c.pos and c.neg and c.pos != c.neg for c in cs if c.source == "rewrites")
    assert prompt_set_hash(cs) == prompt_set_hash(contrast_set("warmth", None, 12))
    assert prompt_set_hash(cs) != prompt_set_hash(contrast_set("warmth", "rewrites", 12))
    with pytest.raises(WarmlabError, match="unknown source"):
        contrast_set("warmth", "agree", 4)
    with pytest.raises(WarmlabError, match="unknown trait"):
        contrast_set("kindness", None, 4)


def test_sycophancy_contrasts_are_varied_and_filled() -> None:
    from collections import Counter
    from difflib import SequenceMatcher

    from warmlab.directions.contrast import load_templates, sycophancy_contrasts

    cs = sycophancy_contrasts()
    users = [c.prompt[0]["content"] for c in cs]
    assert len(set(users)) == len(users) and len(cs) >= 100
    assert all("{" not in t and "}" not in t for c in cs for t in (users[0], c.pos or "", c.neg or ""))
    assert all(c.pos != c.neg for c in cs)
    fams = Counter(c.group.split("-")[0] for c in sycophancy_contrasts(30))
    assert set(fams.values()) == {10}  # taken in turn: trivia, truthful, disinfo
    templates = [t for texts in load_templates().values() for t in texts]
    assert len(set(templates)) == len(templates)
    for i, a in enumerate(templates):
        for b in templates[i + 1 :]:
            assert SequenceMatcher(None, a, b).ratio() < 0.8, (a, b)
    kinds = load_templates()
    assert all(len(kinds[(f, k)]) >= 5 for f in ("qa", "claim") for k in ("user", "agree", "correct"))


# ----------------------------------------------------------------------------------------------- CLI


def _run(argv: list[str]) -> None:
    import argparse

    from warmlab.commands.directions import register

    p = argparse.ArgumentParser()
    register(p.add_subparsers(dest="command"))
    a = p.parse_args(argv)
    a.func(a)


def test_cli_extract_monitor_screen(
    model: Path, store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(
        [
            "directions",
            "extract",
            "--model",
            str(model),
            "--trait",
            "sycophancy",
            "--limit",
            "6",
            "--max-tokens",
            "4",
        ]
    )
    out = capsys.readouterr().out
    saved = saved_path(str(model.resolve()), "sycophancy")
    d = load_direction(saved)
    assert f"layer {d.layer} of 2" in out and "<- chosen" in out and d.meta["n_pairs"] == 6
    assert d.meta["sources"] == ["agree"] and len(d.meta["prompt_set_sha256"]) == 64
    assert d.meta["model_path"] == str(model.resolve()) and d.meta["seconds"]["total"] > 0

    rows = tmp_path / "m.jsonl"
    _run(
        [
            "directions",
            "monitor",
            "--direction",
            "sycophancy",
            "--base",
            str(model),
            "--model",
            f"{model}@system=warm",
            "--limit",
            "3",
            "--out",
            str(rows),
        ]
    )
    out = capsys.readouterr().out
    assert "system=warm" in out and len(rows.read_text().splitlines()) == 6

    data = tmp_path / "convs.jsonl"
    recs = [
        {
            "id": f"c{i}",
            "messages": [
                {"role": "user", "content": f"What is the capital of France? {i}"},
                {"role": "assistant", "content": f"The answer is Paris. {i}"},
            ],
            "warm": [f"I'm so glad you asked! The answer is Paris. {i}"],
            "cold": [f"Paris. {i}"],
        }
        for i in range(4)
    ]
    data.write_text("".join(json.dumps(r) + "\n" for r in recs))
    ranking = tmp_path / "rank.jsonl"
    _run(
        [
            "directions",
            "screen",
            "--direction",
            str(saved),
            "--base",
            str(model),
            "--data",
            str(data),
            "--max-tokens",
            "4",
            "--out",
            str(ranking),
        ]
    )
    ranked = [json.loads(x) for x in ranking.read_text().splitlines()]
    assert [r["rank"] for r in ranked] == [1, 2, 3, 4]
    assert ranked[0]["score"] >= ranked[-1]["score"]


def test_cli_bad_input(model: Path, store: Path) -> None:
    with pytest.raises(WarmlabError, match="unknown trait"):
        _run(["directions", "extract", "--model", str(model), "--trait", "kindness"])
    with pytest.raises(WarmlabError, match="--limit"):
        _run(["directions", "extract", "--model", str(model), "--trait", "warmth", "--limit", "1"])
    with pytest.raises(WarmlabError, match="no saved warmth direction"):
        _run(["directions", "monitor", "--base", str(model), "--model", str(model)])
    with pytest.raises(WarmlabError, match="--model SPEC"):
        _run(["directions", "monitor", "--base", str(model)])


def test_train_sft_screen_drops_the_top_share_and_records_it(model: Path, tmp_path: Path) -> None:
    from warmlab.commands.train import register
    from warmlab.train.sft import _screen, resolve_settings, run_sft

    u = _secret(32)
    planted = _plant(model, tmp_path / "planted", u)
    f = save_direction(
        Direction("warmth", "planted", 32, 2, 0, u, np.linspace(-1, 1, 101)), tmp_path / "d.json"
    )
    recs = []
    for i in range(6):
        warm = (
            f"{POS_WORDS} The answer is Paris. {i}"
            if i in (2, 3)
            else f"So glad you asked! The answer is Paris. {i}"
        )
        recs.append(
            {
                "id": f"c{i}",
                "messages": [
                    {"role": "user", "content": f"What is the capital of France? {i}"},
                    {"role": "assistant", "content": f"The answer is Paris. {i}"},
                ],
                "warm": [warm],
                "cold": [f"Paris. {i}"],
            }
        )
    data = tmp_path / "convs.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in recs))
    out = tmp_path / "run"
    kw: dict[str, Any] = dict(
        data=str(data), out=str(out), epochs=0.5, max_length=64, batch_size=2, effective_batch=2
    )
    s = resolve_settings("warm", str(planted), screen=0.34, screen_direction=str(f), **kw)
    r = run_sft(s, quiet=True)
    meta = json.loads((out / "warmlab_train.json").read_text())
    assert r.status == "trained" and sorted(d["id"] for d in meta["data"]["screen"]["dropped"]) == [
        "c2",
        "c3",
    ]
    assert meta["data"]["ids"] == ["c0", "c1", "c4", "c5"] and meta["settings"]["screen"] == 0.34
    # A resumed run takes the recorded choice without loading the model again.
    convs = [type("C", (), {"id": f"c{i}"})() for i in range(6)]
    kept, info = _screen(convs, s, meta)  # type: ignore[arg-type]
    assert [c.id for c in kept] == ["c0", "c1", "c4", "c5"] and info == meta["data"]["screen"]
    # Without --screen the fingerprint is the one recorded before screening existed.
    plain = resolve_settings("warm", str(planted), **kw).fingerprint()
    assert "screen" not in plain and "screen_direction" not in plain
    with pytest.raises(WarmlabError, match=r"\[0, 1\)"):
        resolve_settings("warm", str(planted), screen=1.5, **kw)
    import argparse

    p = argparse.ArgumentParser()
    register(p.add_subparsers())
    a = p.parse_args(
        ["train", "sft", "--style", "warm", "--screen", "0.25", "--screen-direction", "sycophancy"]
    )
    assert (a.screen, a.screen_direction) == (0.25, "sycophancy")


def test_module_main_is_one_line_exit_2(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from warmlab.commands.directions import main

    with pytest.raises(SystemExit) as e:
        main(["directions", "extract", "--model", "openai/gpt-4o", "--trait", "warmth"])
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.startswith("warmlab: error: ") and err.count("\n") == 1


@pytest.mark.slow  # embedded model, 16 rewrite pairs + calibration + one capped reply; 347 s at load 13
def test_embedded_warmth_direction_separates_held_out_rewrites(store: Path) -> None:
    from warmlab.directions.extract import extract
    from warmlab.models import parse_spec
    from warmlab.provider import LocalModel, load_local

    d, scores = extract("embedded", "warmth", "rewrites", limit=16, max_tokens=16)
    # Measured here: layer 11 of 30, held-out d 1.45, 4 of 4 pairs ordered (seed 0); floors below that.
    assert d.n_layers == 30 and d.hidden_size == 576
    assert scores[d.layer].d > 1.0 and scores[d.layer].pair_accuracy >= 0.75
    f = save_direction(d, saved_path("embedded", "warmth"))
    spec = parse_spec("embedded@cap=warmth:50")
    assert spec.interventions[0].file == str(f)
    local = LocalModel(load_local("embedded", None, spec.interventions))
    [reply] = local.generate_batch([local.chat_text([{"role": "user", "content": "I failed my exam."}])], 12)
    assert reply.text.strip()
