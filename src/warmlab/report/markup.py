"""The plain HTML table the report sections share (a leaf module: battery reports import it at load)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def cells_table(head: Sequence[str], rows: Sequence[Sequence[str]], raw: bool = False, cls: str = "") -> str:
    """A table of text cells, escaped unless `raw` (cells already HTML); a class attribute only with `cls`."""
    h = "".join(f"<th>{escape(x)}</th>" for x in head)
    body = "".join("<tr>" + "".join(f"<td>{c if raw else escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"
