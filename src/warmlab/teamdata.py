"""Read the team's JSONL files (packaged data or a user's path) with one-line errors naming file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError

#: A field's expected type: a Python type, or a tuple of accepted types.
FieldType = type | tuple[type, ...]


def packaged(package: str, name: str) -> Any:
    """A data file shipped inside a warmlab package (an importlib Traversable)."""
    return files(package) / "data" / name


def _text(path: Any) -> tuple[str, str]:
    label = str(path)
    try:
        return label, path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WarmlabError(f"{label} does not exist") from None
    except UnicodeDecodeError as e:
        raise WarmlabError(f"{label}: not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise WarmlabError(f"{label}: cannot read ({e.strerror})") from None


def read_jsonl(
    path: Path | Any, fields: Mapping[str, FieldType]
) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(file label, line number, object) for each non-blank line; every object must carry `fields` with
    the given types (an empty string counts as missing)."""
    label, text = _text(path)
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise WarmlabError(f"{label}:{lineno}: invalid JSON ({e.msg}, column {e.colno})") from None
        if not isinstance(obj, dict):
            raise WarmlabError(f"{label}:{lineno}: expected a JSON object")
        for name, kind in fields.items():
            value = obj.get(name)
            # bool is an int subclass: a field typed int must not silently accept true/false
            wrong = not isinstance(value, kind) or (isinstance(value, bool) and bool not in _types(kind))
            if value is None or value == "" or wrong:
                raise WarmlabError(f"{label}:{lineno}: field {name!r} missing or not {_name(kind)}")
        yield label, lineno, obj


def check_unique(label: str, rows: list[tuple[int, str]], what: str = "id") -> None:
    """Raise on the first repeated value, naming both lines."""
    seen: dict[str, int] = {}
    for lineno, value in rows:
        if value in seen:
            raise WarmlabError(f"{label}:{lineno}: {what} {value!r} repeats line {seen[value]}")
        seen[value] = lineno


def _types(kind: FieldType) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _name(kind: FieldType) -> str:
    return " or ".join(t.__name__ for t in _types(kind))
