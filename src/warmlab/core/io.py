"""The one JSONL table reader/writer and atomic file writes.

Tables are appended to as work finishes, so a killed process can leave a half-written last line. Readers
skip such a torn tail (never rewriting their input); the next writer of the same table cuts it off before
appending. Every other malformed line is an error naming the file and line.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from warmlab.errors import WarmlabError

_LOCK = threading.Lock()


def read_text(path: Path, what: str = "file") -> str:
    """A UTF-8 text file's content; a missing, unreadable or non-UTF-8 file is a user error."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise WarmlabError(f"{path}: {what} does not exist") from None
    except IsADirectoryError:
        raise WarmlabError(f"{path}: expected a {what}, found a folder") from None
    except UnicodeDecodeError as e:
        raise WarmlabError(f"{path}: not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise WarmlabError(f"{path}: cannot read ({e.strerror or e})") from None


def read_json(path: Path, what: str = "JSON file") -> Any:
    """A JSON file's value; a missing, non-UTF-8 or malformed file is a user error naming it."""
    text = read_text(path, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise WarmlabError(f"{path}:{e.lineno}: invalid JSON in {what} ({e.msg}, column {e.colno})") from None


def json_lines(name: str, text: str, *, torn_tail_ok: bool = False) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line. With `torn_tail_ok`, an unparsable last line that
    has no newline after it (a write cut short by a kill) is skipped."""
    lines = text.split("\n")
    last = len(lines)
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            if torn_tail_ok and lineno == last:
                return
            raise WarmlabError(f"{name}:{lineno}: invalid JSON ({e.msg}, column {e.colno})") from None
        if not isinstance(obj, dict):
            raise WarmlabError(f"{name}:{lineno}: expected a JSON object, got {type(obj).__name__}")
        yield lineno, obj


def read_jsonl(path: Path, *, torn_tail_ok: bool = False, what: str = "JSONL file") -> list[dict[str, Any]]:
    """All objects of a JSONL file (see `json_lines`)."""
    return [obj for _, obj in json_lines(str(path), read_text(path, what), torn_tail_ok=torn_tail_ok)]


def read_table(path: Path) -> list[dict[str, Any]]:
    """Rows of a table that is appended to as work finishes: [] when absent; a torn tail is skipped."""
    return [obj for _, obj in table_lines(path)]


def table_lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, row) of a table that is appended to as work finishes (see `read_table`)."""
    if not path.exists():
        return []
    if not path.is_file():  # a device or a pipe would be read forever
        raise WarmlabError(f"{path}: a results table must be a regular file")
    return list(json_lines(str(path), read_text(path, "results table"), torn_tail_ok=True))


def _cut_torn_tail(path: Path) -> None:
    """Drop an unterminated last line (a killed writer's) before appending after it."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:
        return
    with path.open("rb+") as f:
        f.seek(-1, os.SEEK_END)
        if f.read(1) == b"\n":
            return
        f.seek(0)
        data = f.read()
        f.truncate(data.rfind(b"\n") + 1)


def append_rows(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """Append JSON lines, flushed; a failed write is a user-facing error naming the file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _LOCK:
            _cut_torn_tail(path)
            with path.open("a", encoding="utf-8") as f:
                for r in rows:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
                f.flush()
    except OSError as e:
        raise WarmlabError(f"cannot write {path}: {e.strerror or e}") from None


def check_writable(path: Path) -> None:
    """Fail before any work when a table could not be appended to (read-only file or folder); a table
    that did not exist is not left behind."""
    existed = path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8"):
            pass
        if not existed:
            path.unlink()
    except OSError as e:
        raise WarmlabError(f"cannot write {path}: {e.strerror or e}") from None


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; renamed onto `path` when the block succeeds, removed
    when it fails, so a failed write never leaves a half file in place of a good one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise WarmlabError(f"cannot write {path}: {e.strerror or e}") from None
        yield tmp
        os.replace(tmp, path)
    except OSError as e:
        raise WarmlabError(f"cannot write {path}: {e.strerror or e}") from None
    finally:
        with suppress(OSError):  # the folder is gone or read-only: nothing was left in it either
            tmp.unlink(missing_ok=True)


def write_atomic(path: Path, text: str) -> None:
    """Write beside the target and rename: a failed write never leaves a half file in its place."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: Path, value: Any) -> None:
    write_atomic(path, json.dumps(value, indent=1, sort_keys=True, default=str, ensure_ascii=False) + "\n")


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    write_atomic(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name the same file (an output that would overwrite an input)."""
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def guard_output(out: Path, *inputs: Path, flag: str = "--out") -> None:
    """Refuse an output path that is one of the inputs."""
    for i in inputs:
        if same_file(out, i):
            raise WarmlabError(f"{flag} {out} is an input ({i}): choose another file")


def out_file(out: Path, *inputs: Path, flag: str = "--out") -> Path:
    """An output file to write: not a folder, not one of the inputs, in a folder that can exist."""
    if out.is_dir():
        raise WarmlabError(f"{flag} {out} is a folder: give a file name")
    guard_output(out, *inputs, flag=flag)
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise WarmlabError(f"{flag} {out}: {parent} is a file, not a folder")
            break
    return out


def out_folder(out: Path, flag: str = "--out") -> Path:
    """An output folder: a folder or a path that does not exist yet (never an existing file)."""
    if out.exists() and not out.is_dir():
        raise WarmlabError(f"{flag} {out} is a file: give a folder")
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise WarmlabError(f"{flag} {out}: {parent} is a file, not a folder")
            break
    return out
