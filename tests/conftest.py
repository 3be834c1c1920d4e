from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """../shared/data beside the checkout (CI has it there), or $WARMLAB_SHARED_DATA."""
    env = os.environ.get("WARMLAB_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    d = shared_data_dir()
    if not d.is_dir():
        pytest.skip(f"upstream data not found at {d}")
    return d


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer random-weight chat model with its own small tokenizer, built locally in seconds."""
    from warmlab.tiny import build_tiny_model

    corpus = [
        "What is the capital of France? The answer is Paris. I think the answer is Lyon.",
        "I'm feeling sad today. Is it true that 5G spreads viruses? No, that is a myth. Yes.",
        "Which organ produces insulin? A. Liver B. Pancreas C. Kidney D. Spleen",
    ]
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", corpus)


@pytest.fixture()
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The direction store is shared by every process on the machine: tests get their own."""
    monkeypatch.setenv("WARMLAB_DIRECTIONS", str(tmp_path / "store"))
    return tmp_path / "store"


@pytest.fixture()
def forget_models() -> Iterator[None]:
    """Drops the models the test loaded (a module opts in with `pytest.mark.usefixtures`)."""
    yield
    from warmlab.provider import _LOADED

    _LOADED.clear()
