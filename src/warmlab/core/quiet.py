"""Library set-up for command-line runs: offline hub, quiet logs, no progress bars, no hook banner."""

from __future__ import annotations

import os


def quiet_libraries() -> None:
    # Hub look-ups would hang or fail offline; local folders and the embedded model need none.
    if not os.environ.get("WARMLAB_ONLINE"):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("INSPECT_LOG_LEVEL", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # weight-loading bars would bury warmlab's own one-line messages
    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning)  # library deprecation notes, not the user's


def quiet_inspect() -> None:
    """inspect prints a banner listing hooks (ours: the results recorder) to stdout once per process, on
    first use; trigger that here with stdout swallowed so that command output stays clean."""
    import contextlib
    import io

    from inspect_ai.hooks._startup import init_hooks

    with contextlib.redirect_stdout(io.StringIO()):
        init_hooks()
