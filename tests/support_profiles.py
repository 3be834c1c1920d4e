"""Bad user-profile files for the support battery's and RL's bad-input tests."""

from __future__ import annotations

import json
from pathlib import Path


def bad_profile_files(tmp: Path, split: str) -> tuple[Path, Path]:
    """(bad.jsonl: a good profile then a broken JSON line, kind.jsonl: a profile of an unknown intention
    kind 'cuddles'), written under `tmp`."""
    good = json.dumps(
        {
            "id": "a",
            "split": split,
            "persona": "Ann",
            "story": "One. Two.",
            "intention": {"kind": "vent", "text": "to vent"},
            "first_message": "hi",
        }
    )
    bad_line = tmp / "bad.jsonl"
    bad_line.write_text(good + "\n{oops\n")
    kind = tmp / "kind.jsonl"
    kind.write_text(good.replace('"vent"', '"cuddles"') + "\n")
    return bad_line, kind
