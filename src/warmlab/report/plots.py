"""Generic figures for battery sections beyond the paper's (see figures.py for the conventions): a heat map
of shares, grouped bars beside a human baseline, a scatter with CIs in both directions. Kept apart from
figures.py so that neither file grows past a screenful of helpers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from warmlab.report.figures import RC, Interval, _err, _panels, _val, role_color, to_svg

HUMAN = "#3a3a3a"  # human baselines beside variants: dark, hatched (one hatch per baseline)
HATCHES = ("xx", "..", "//", "\\\\")


def heatmap(
    panels: Mapping[str, Mapping[str, Any]],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    fig_id: str,
    vmax: float = 1.0,
    percent: bool = True,
) -> str:
    """One heat map per panel on a shared colour scale (0..vmax), each cell labelled with its value and n.

    Panel data: {rows: [labels], columns: [labels], values: [[float | None]] (rows x columns),
    n: [[int]] (optional)}. A None value is drawn as an empty cell marked "–".
    """
    names = list(panels)
    with plt.rc_context(RC):
        fig, axes = plt.subplots(1, len(names), figsize=(3.6 * len(names) + 0.8, 3.4), squeeze=False)
        im = None
        for k, (ax, name) in enumerate(zip(axes[0], names, strict=True)):
            p = panels[name]
            rows, cols = list(p["rows"]), list(p["columns"])
            grid = [[_val(v) for v in line] for line in p["values"]]
            im = ax.imshow(grid, cmap="Oranges", vmin=0.0, vmax=vmax, aspect="auto")
            ax.grid(False)
            ax.set_xticks(range(len(cols)), cols)
            ax.set_yticks(range(len(rows)), rows if k == 0 else [""] * len(rows))  # row labels once
            ax.set_xlabel(xlabel)
            if k == 0:
                ax.set_ylabel(ylabel)
            for i in range(len(rows)):
                for j in range(len(cols)):
                    v = grid[i][j]
                    n = p["n"][i][j] if p.get("n") else None
                    if math.isnan(v):
                        text = "–"
                    else:
                        text = f"{100 * v:.0f}%" if percent else f"{v:.2f}"
                        text += "" if n is None else f"\nn={n}"
                    dark = not math.isnan(v) and v > 0.6 * vmax
                    ax.text(
                        j, i, text, ha="center", va="center", fontsize=8, color="white" if dark else "black"
                    )
            if name:
                ax.set_title(name)
        if im is not None:
            fig.colorbar(im, ax=list(axes[0]), shrink=0.8, label="share of row" if percent else "value")
        fig.suptitle(title, fontsize=11, fontweight="bold", y=1.03)  # above the panel titles
        return to_svg(fig, fig_id)


def grouped_bars(
    panels: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    title: str,
    ylabel: str,
    fig_id: str,
    percent: bool = False,
    xlabel: str = "",
) -> str:
    """Bars per group (x) and label (one bar each) with 95% CIs; role "human" draws a hatched dark bar.

    A panel's rows: {group, label, role, value, ci_low, ci_high} (values as fractions when percent; any
    may be None: no bar, or no error bar).
    """
    scale = 100.0 if percent else 1.0

    def s(x: Any) -> float | None:
        return None if x is None else scale * float(x)

    def draw(ax: Axes, rows: Sequence[Mapping[str, Any]]) -> None:
        groups = list(dict.fromkeys(str(r["group"]) for r in rows))
        labels = list(dict.fromkeys(str(r["label"]) for r in rows))
        width = 0.8 / max(len(labels), 1)
        humans = 0
        for j, lab in enumerate(labels):
            sel = {str(r["group"]): r for r in rows if str(r["label"]) == lab}
            role = next((str(r.get("role", "other")) for r in rows if str(r["label"]) == lab), "other")
            vals = [s(sel[g]["value"]) if g in sel else None for g in groups]
            ivs: list[Interval] = [
                (s(sel[g].get("ci_low")), s(sel[g].get("ci_high"))) if g in sel else (None, None)
                for g in groups
            ]
            style: dict[str, Any] = {"color": role_color(role, j)}
            if role == "human":
                style = {"color": HUMAN, "hatch": HATCHES[humans % len(HATCHES)], "edgecolor": "white"}
                humans += 1
            ax.bar(
                [i + (j - (len(labels) - 1) / 2) * width for i in range(len(groups))],
                [_val(v) for v in vals],
                width * 0.92,
                yerr=_err(vals, ivs),
                capsize=2,
                label=lab,
                ecolor="#222",
                error_kw={"linewidth": 0.8},
                **style,
            )
        rotate = len(groups) > 4 or max((len(g) for g in groups), default=0) > 14
        ax.set_xticks(
            range(len(groups)), groups, rotation=25 if rotate else 0, ha="right" if rotate else "center"
        )
        if xlabel:
            ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if percent:
            ax.set_ylim(0, 100)
        ax.legend(fontsize=7, frameon=False)

    return _panels(panels, draw, title=title, fig_id=fig_id, width=6.0, sharey=False)


def scatter_ci(
    points: Sequence[Mapping[str, Any]], *, title: str, xlabel: str, ylabel: str, fig_id: str
) -> str:
    """One point per row (named in the legend) with 95% CIs in both directions; role "human" draws a dark
    square (then a diamond, a triangle, ... for further human baselines).

    Rows: {label, role, x, x_ci: [lo, hi] | None, y, y_ci: [lo, hi] | None} (rows without x or y are skipped).
    """
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(7.6, 4.2))
        humans = 0
        for i, p in enumerate(q for q in points if q.get("x") is not None and q.get("y") is not None):
            role = str(p.get("role", "other"))
            x, y = float(p["x"]), float(p["y"])
            xci, yci = p.get("x_ci") or (None, None), p.get("y_ci") or (None, None)
            human = role == "human"
            humans += human
            ax.errorbar(
                [x],
                [y],
                xerr=_err([x], [(xci[0], xci[1])]),
                yerr=_err([y], [(yci[0], yci[1])]),
                marker=("s", "D", "^", "v")[(humans - 1) % 4] if human else "o",
                markersize=7 if human else 6,
                capsize=3,
                color=HUMAN if human else role_color(role, i),
                label=str(p["label"]),
                linestyle="none",
            )
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        handles, _ = ax.get_legend_handles_labels()
        if handles:
            ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.02, 1.0))
        fig.suptitle(title, fontsize=11, fontweight="bold")
        fig.tight_layout()
        return to_svg(fig, fig_id)
