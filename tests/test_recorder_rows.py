"""The recorder never loses a finished sample silently."""

from __future__ import annotations

from pathlib import Path


def test_a_row_json_cannot_hold_is_an_error_not_a_silent_loss(tmp_path: Path) -> None:
    # found wiring the rebound battery: a numpy count in the outcomes made inspect swallow the write
    import asyncio

    import numpy as np
    from inspect_ai.hooks import SampleEnd
    from inspect_ai.log import EvalSample
    from inspect_ai.scorer import Score

    from warmlab.results.recorder import ResultsRecorder, Sink, recording

    sample = EvalSample(
        id="r001|negative",
        epoch=1,
        input="hi",
        target="",
        scores={"s": Score(value=0.0, metadata={"outcomes": {"n": np.int64(1)}, "scorer": "x"})},
    )
    with recording(Sink(tmp_path / "results.jsonl", "rebound", "m", "base", "generate", "m")) as sink:
        asyncio.run(ResultsRecorder().on_sample_end(SampleEnd(None, "run", "eval", "r001|negative", sample)))
    assert sink.error is not None and "r001|negative: cannot record its row" in str(sink.error)
