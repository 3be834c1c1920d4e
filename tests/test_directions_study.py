"""Phase B of persona directions: the random-drop control, the [directions] and [monitor] stages and
capped or steered variants in a study, their bad input, and the screening example config."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from warmlab.directions.screen import ScreenScore, drop_random, drop_top, screen_conversations
from warmlab.errors import WarmlabError


@dataclass(frozen=True)
class _Conv:
    id: str


def test_random_drop_removes_as_many_as_the_screen_and_is_seeded() -> None:
    convs = [_Conv(f"c{i}") for i in range(12)]
    scores = [ScreenScore(c.id, float(i), 0.0, 0.0, 1) for i, c in enumerate(convs)]
    kept_top, dropped_top = drop_top(convs, scores, 0.25)
    kept, gone = drop_random(convs, 0.25, seed=3)
    assert len(gone) == len(dropped_top) == 3 and len(kept) == len(kept_top) == 9
    assert [c.id for c in kept] == [c.id for c in convs if c.id not in gone]  # order kept
    assert drop_random(convs, 0.25, seed=3) == (kept, gone)
    assert {tuple(drop_random(convs, 0.25, seed=s)[1]) for s in range(6)} != {tuple(gone)}  # seed matters
    kept2, info = screen_conversations(convs, "no-model-needed", "random", 0.25, seed=3)
    assert kept2 == kept and info["direction"] == "random" and [d["id"] for d in info["dropped"]] == gone
    with pytest.raises(WarmlabError, match="fraction"):
        screen_conversations(convs, "x", "random", 1.0)


# ---------------------------------------------------------------------------------- studies, tiny model

ITEMS = [
    {
        "id": "a1",
        "text": "Lend a hand when a neighbour is moving house",
        "keyed": "plus",
        "domain": "A",
        "facet": 1,
    },
    {"id": "n1", "text": "Lose sleep over small mistakes", "keyed": "plus", "domain": "N", "facet": 1},
]


pytestmark = pytest.mark.usefixtures("forget_models")  # the fixtures: conftest.py


@pytest.fixture(scope="module")
def chatty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny model whose greedy replies are never empty (the direction's calibration needs replies)."""
    from transformers import AutoTokenizer, GenerationConfig

    from warmlab.tiny import build_tiny_model

    corpus = ["Tell me about your day. It was fine, thank you. The answer is Paris.", "kiwi wombat vowel"]
    path = build_tiny_model(tmp_path_factory.mktemp("study-dirs") / "tiny", corpus)
    tok = AutoTokenizer.from_pretrained(path)
    quiet = [i for i in range(len(tok)) if i in tok.all_special_ids or not tok.decode([i]).strip()]
    GenerationConfig(
        suppress_tokens=quiet, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id
    ).save_pretrained(path)
    return path


def _config(base: Path, out: Path, items: Path, extra: str = "") -> str:
    return f"""
out = "{out}"
base = "{base}"

[[variant]]
name = "warm-system"
system = "warm"

[[variant]]
name = "warm"
train = "sft"
style = "warm"
data = "starter:emotional"
limit = 4
epochs = 1.0
lr = 0.02
max_length = 256
batch_size = 2
effective_batch = 2
checkpoint_epochs = [0.5, 1.0]

[[variant]]
name = "warm-capped"
of = "warm"
cap = "warmth:90"

[[variant]]
name = "capped"
of = "warm-system"
cap = "warmth:50"

[[variant]]
name = "steered"
steer = "warmth:-1"

[directions]
trait = "warmth"
sources = "rewrites"
limit = 4
max_tokens = 6
batch_size = 8

[monitor]
limit = 3

[eval]
modes = ["choice"]
families = "trivia"
contexts = "none"
limit = 1
batch_size = 8

[warmth]
limit = 2
max_tokens = 4
batch_size = 8

[tasks.pushback]
modes = ["choice"]
limit = 1
families = "trivia"
schedules = "plain"
turns = 1

[tasks.personality]
modes = ["choice"]
items = "{items}"
framings = "plain"
if_exists = "{items}"

[stats]
bootstrap = 0
compare = [["steered", "warm-system"]]
{extra}
"""


@pytest.mark.slow  # a whole study on the tiny model: extraction, training, four batteries, monitor; ~50 s
def test_study_extracts_caps_monitors_and_compares(chatty: Path, store: Path, tmp_path: Path) -> None:
    import json

    from warmlab.cli import main
    from warmlab.directions.store import load_direction

    items = tmp_path / "questions.json"
    items.write_text(json.dumps(ITEMS))
    out = tmp_path / "study"
    cfg = tmp_path / "study.toml"
    cfg.write_text(_config(chatty, out, items))
    main(["study", "--config", str(cfg)])

    d = load_direction(out / "directions" / "warmth.json")
    assert d.n_layers == 2 and d.meta["sources"] == ["rewrites"]
    ledger = json.loads((out / "stages.json").read_text())
    assert {"directions:warmth", "monitor", "eval:pushback:choice", "eval:personality:choice"} <= set(ledger)
    rows = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    specs = {r["variant"]: r["model"] for r in rows}
    assert set(specs) == {
        "base",
        "warm-system",
        "warm",
        "warm-capped",
        "capped",
        "steered",
        "warm@0.5",
        "warm@1",
    }
    assert specs["capped"] == f"{chatty}@system=warm@cap={d.path}:50"
    assert specs["warm-capped"] == f"{specs['warm']}@cap={d.path}:90"  # a trained adapter, capped
    assert {r["task"] for r in rows} == {"reliability", "warmth", "pushback", "personality"}

    stats = json.loads((out / "stats.json").read_text())
    pairs = {(c["variant"], c["reference"], c["why"]) for c in stats["comparisons"]}
    assert pairs == {
        ("capped", "warm-system", "hooks"),
        ("warm-capped", "warm", "hooks"),
        ("steered", "base", "hooks"),
        ("steered", "warm-system", "declared"),
    }
    capped = next(c for c in stats["comparisons"] if c["variant"] == "capped")
    assert {x["task"] for x in capped["results"]} == {"reliability", "warmth", "pushback", "personality"}

    monitor = json.loads((out / "monitor.json").read_text())
    shifts = {s["variant"]: s for s in monitor["shifts"]}
    assert set(shifts) == {"warm-system", "warm", "warm-capped", "capped", "steered", "warm@0.5", "warm@1"}
    assert shifts["warm@0.5"]["epoch"] == 0.5 and shifts["warm@0.5"]["run"] == "warm"
    assert monitor["n_prompts"] == 3
    # steering by -1 moves every state at the direction's layer back by exactly |v|
    assert shifts["steered"]["prompt"] == pytest.approx(-d.norm, rel=1e-3)

    html = (out / "report.html").read_text()
    for text in (
        "Capped, steered and compared variants",
        "capped vs warm-system",
        "Monitor: the shift",
        "Big Five profile",
        "warmth gap",
        "warm-capped vs warm",
        "n = 7",  # every monitored model has a warmth gap: the checkpoint's comes from the warmth battery
    ):
        assert text in html

    main(["study", "--config", str(cfg)])  # everything is up to date
    assert json.loads((out / "stages.json").read_text()) == ledger


# ------------------------------------------------------------------- bad input, before anything is written


@pytest.fixture()
def shell(tmp_path: Path) -> Path:
    """A local model folder with only its config (hidden 16, 2 layers): enough for every check."""
    from transformers import LlamaConfig

    LlamaConfig(
        hidden_size=16,
        num_hidden_layers=2,
        intermediate_size=32,
        num_attention_heads=2,
        num_key_value_heads=2,
        vocab_size=50,
    ).save_pretrained(tmp_path / "shell")
    return tmp_path / "shell"


def _direction(path: Path, hidden: int, layers: int) -> Path:
    import numpy as np

    from warmlab.directions.store import Direction, save_direction

    v = np.ones(hidden)
    return save_direction(Direction("warmth", "other", hidden, layers, 1, v, np.linspace(0, 1, 101)), path)


@pytest.mark.parametrize(
    ("variant", "message"),
    [
        ('cap = "warmth:150"', "cap = 'warmth:150': cap percentile 150 is outside 0-100"),
        ('cap = "warmth:-1"', "outside 0-100"),
        ('steer = "warmth:lots"', "is not a number"),
        ('steer = "warmth"', "takes TRAIT_OR_FILE:NUMBER"),
        ('cap = "kindness:90"', "unknown trait 'kindness'"),
        ('cap = "OTHER:90"', "is for a model with hidden size 8"),
        ('cap = "LAYERS:90"', "layer"),
        ('cap = "nowhere/warmth.json:90"', "does not exist"),
        ('of = "later"\ncap = "warmth:90"', "of = 'later' is not a variant defined before it"),
        ('system = "warm"\ncap = "warmth:90"', "cap/steer/of go on a variant of their own"),
        ('of = "base"', "needs cap or steer"),
    ],
)
def test_bad_hooked_variants_exit_2_with_one_line_before_any_write(
    shell: Path,
    store: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    variant: str,
    message: str,
) -> None:
    from warmlab.cli import main

    other = _direction(tmp_path / "other.json", 8, 2)
    layers = _direction(tmp_path / "layers.json", 16, 7)
    variant = variant.replace("OTHER", str(other)).replace("LAYERS", str(layers))
    out = tmp_path / "study"
    cfg = tmp_path / "study.toml"
    cfg.write_text(
        f'out = "{out}"\nbase = "{shell}"\n\n[[variant]]\nname = "x"\n{variant}\n\n'
        '[[variant]]\nname = "later"\nsystem = "warm"\n\n[directions]\nlimit = 4\n'
    )
    with pytest.raises(SystemExit) as e:
        main(["study", "--config", str(cfg)])
    err = capsys.readouterr().err.strip()
    assert e.value.code == 2 and "\n" not in err and message in err, err
    assert not out.exists()


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('[directions]\ntrait = "kindness"', "[directions]: unknown trait 'kindness'"),
        ('[directions]\nsources = "poems"', "unknown source 'poems'"),
        ("[directions]\nlimit = 1", "directions.limit"),
        ('[monitor]\ndirection = "kindness"', "[monitor] direction: unknown trait"),
        ('[monitor]\ndirection = "warmth"', "no saved warmth direction"),  # nothing extracts it
        ('[directions]\n[monitor]\ncheckpoints = ["x"]', "checkpoints: 'x' is not a trained variant"),
        ('[stats]\ncompare = [["x", "nobody"]]', "must name two different variants"),
        ('[stats]\ncompare = [["x", "x"]]', "must name two different variants"),
    ],
)
def test_bad_direction_sections_exit_2(
    shell: Path, store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], section: str, message: str
) -> None:
    from warmlab.cli import main

    out = tmp_path / "study"
    cfg = tmp_path / "study.toml"
    cfg.write_text(
        f'out = "{out}"\nbase = "{shell}"\n\n[[variant]]\nname = "x"\nsystem = "warm"\n\n{section}\n'
    )
    with pytest.raises(SystemExit) as e:
        main(["study", "--config", str(cfg)])
    err = capsys.readouterr().err.strip()
    assert e.value.code == 2 and "\n" not in err and message in err, err
    assert not out.exists()


def test_hooked_variant_specs_use_the_study_direction_file(shell: Path, store: Path, tmp_path: Path) -> None:
    from warmlab.study.config import parse_config
    from warmlab.study.directions import hooked_spec, resolve
    from warmlab.study.plan import check_study

    raw = {
        "out": str(tmp_path / "s"),
        "base": str(shell),
        "variant": [
            {"name": "warm", "system": "warm"},
            {"name": "warm-capped", "of": "warm", "cap": "warmth:95"},
            {"name": "steered", "steer": "warmth:-4", "cap": "warmth:99.5"},
        ],
        "directions": {"trait": ["warmth", "sycophancy"]},
    }
    cfg = parse_config(raw, "test")
    check_study(cfg)  # the study extracts both traits itself: nothing needs to exist yet
    v = {x.name: x for x in cfg.variants}
    assert v["warm-capped"].kind == "hooked" and v["warm-capped"].of == "warm"
    assert v["steered"].of == "base" and v["steered"].hooks == (
        ("cap", "warmth", 99.5),
        ("steer", "warmth", -4.0),
    )
    own = str((tmp_path / "s" / "directions" / "warmth.json").resolve())
    assert resolve(cfg, "warmth") == own
    assert hooked_spec(cfg, v["warm-capped"], "M@system=warm") == f"M@system=warm@cap={own}:95"
    assert cfg.directions is not None and cfg.directions["traits"] == ("warmth", "sycophancy")
    # vLLM cannot run hooks: under engine = "vllm" a capped variant stays on warmlab's provider
    from warmlab.study import vllm_spec

    f = _direction(tmp_path / "w.json", 16, 2)
    capped = f"{shell}@system=warm@cap={f}:95"
    assert vllm_spec(capped) == capped and vllm_spec(f"{shell}@system=warm") == f"vllm/{shell}@system=warm"


def test_screening_example_validates_and_screens_along_the_study_direction(store: Path) -> None:
    from warmlab.study.config import load_config
    from warmlab.study.plan import check_study

    repo = Path(__file__).resolve().parents[1]
    cfg = load_config(str(repo / "examples" / "screening-study.toml"), out="/nonexistent/screening")
    _units, settings = check_study(cfg)
    assert settings["warm"].screen is None and settings["warm-random"].screen_direction == "random"
    assert settings["warm-screened"].screen == settings["warm-random"].screen == 0.25
    assert settings["warm-screened"].screen_direction == "/nonexistent/screening/directions/warmth.json"
    assert {s.limit for s in settings.values()} == {32} and cfg.monitor is not None
    assert cfg.stats["compare"] == [
        ["warm-screened", "warm"],
        ["warm-random", "warm"],
        ["warm-screened", "warm-random"],
    ]
