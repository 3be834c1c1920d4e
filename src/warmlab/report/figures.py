"""The report's figures: one function per figure, plain data in, an inline SVG string out (matplotlib, Agg).

Each function takes `panels`, a dict from a panel title (usually the eval mode) to that panel's data, and
returns an `<svg>` element with text kept as text (searchable, selectable) and ids unique to the figure, so
that several SVGs can sit in one HTML page. Intervals are 95% and drawn as error bars; a missing bound is
drawn as no bar.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

COLORS = {
    "base": "#7f7f7f",
    "warm": "#d9541e",
    "rl": "#319795",
    "cold": "#2b6cb0",
    "system": "#b7791f",
    "secure": "#2f855a",
    "other": "#6b46c1",
}
PALETTE = ("#d9541e", "#2b6cb0", "#b7791f", "#6b46c1", "#2f855a", "#c53030", "#4a5568", "#805ad5")
RC: Any = {  # Any: matplotlib types rc keys as a Literal of every rc name
    "svg.fonttype": "none",  # text stays text: searchable in the page and in the tests
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.dpi": 100,
}

Interval = tuple[float | None, float | None]


def role_color(role: str, i: int = 0) -> str:
    return COLORS.get(role, PALETTE[i % len(PALETTE)])


def to_svg(fig: Figure, fig_id: str) -> str:
    """Serialise a figure as a bare `<svg>` element (no XML prolog, no metadata, ids prefixed by fig_id)."""
    buf = io.StringIO()
    with plt.rc_context({"svg.hashsalt": fig_id}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    # Matplotlib's ids (clip paths, glyph markers) repeat between figures; make them unique to this one.
    ids = set(re.findall(r'\bid="([^"]+)"', text))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{fig_id}-{old}"
        text = re.sub(rf'id="{re.escape(old)}"', f'id="{new}"', text)
        text = text.replace(f"#{old})", f"#{new})").replace(f'"#{old}"', f'"#{new}"')
    return text.replace("<svg ", f'<svg role="img" aria-label="{fig_id}" class="figure-svg" ', 1)


def _err(values: Sequence[float | None], ivs: Sequence[Interval]) -> list[list[float]]:
    """Asymmetric error-bar lengths; NaN (no bar) where a bound or the value is missing."""
    lo, hi = [], []
    for v, (a, b) in zip(values, ivs, strict=True):
        ok = v is not None and a is not None and b is not None
        # max(0, ...): a bound computed elsewhere can sit a rounding error on the wrong side of its value
        lo.append(max(0.0, v - a) if ok else math.nan)  # type: ignore[operator]
        hi.append(max(0.0, b - v) if ok else math.nan)  # type: ignore[operator]
    return [lo, hi]


def _val(v: float | None) -> float:
    return math.nan if v is None else float(v)


def _panels(
    panels: Mapping[str, Any],
    draw: Callable[[Axes, Any], None],
    *,
    title: str,
    fig_id: str,
    width: float = 5.2,
    height: float = 3.4,
    sharey: bool = True,
) -> str:
    names = list(panels)
    with plt.rc_context(RC):
        fig, axes = plt.subplots(
            1, len(names), figsize=(width * len(names), height), sharey=sharey, squeeze=False
        )
        for ax, name in zip(axes[0], names, strict=True):
            draw(ax, panels[name])
            if len(names) > 1 or name:
                ax.set_title(name)
        fig.suptitle(title, fontsize=11, fontweight="bold")
        fig.tight_layout()
        return to_svg(fig, fig_id)


def family_variant(panels: Mapping[str, Sequence[Mapping[str, Any]]], *, fig_id: str = "fig-family") -> str:
    """Error rate (%) by family (x) and variant (bars) with Wilson CIs.

    A panel's rows: {family, label, role, rate, ci_low, ci_high, n} with rates as fractions (None: no data).
    """

    def draw(ax: Axes, rows: Sequence[Mapping[str, Any]]) -> None:
        fams = list(dict.fromkeys(r["family"] for r in rows))
        labels = list(dict.fromkeys(r["label"] for r in rows))
        width = 0.8 / max(len(labels), 1)
        for j, lab in enumerate(labels):
            sel = {r["family"]: r for r in rows if r["label"] == lab}
            xs = [i + (j - (len(labels) - 1) / 2) * width for i in range(len(fams))]
            vals = [100 * sel[f]["rate"] if f in sel and sel[f]["rate"] is not None else None for f in fams]
            ivs: list[Interval] = [
                (
                    100 * sel[f]["ci_low"] if f in sel and sel[f]["ci_low"] is not None else None,
                    100 * sel[f]["ci_high"] if f in sel and sel[f]["ci_high"] is not None else None,
                )
                for f in fams
            ]
            role = next((r["role"] for r in rows if r["label"] == lab), "other")
            ax.bar(
                xs,
                [_val(v) for v in vals],
                width * 0.92,
                yerr=_err(vals, ivs),
                capsize=2,
                label=lab,
                color=role_color(role, j),
                ecolor="#222",
                error_kw={"linewidth": 0.8},
            )
        ax.set_xticks(range(len(fams)), fams)
        ax.set_xlabel("item family")
        ax.set_ylabel("error rate (%)")
        ax.set_ylim(0, 100)
        ax.legend(fontsize=8, frameon=False)

    return _panels(panels, draw, title="Error rate by family and variant (95% Wilson CI)", fig_id=fig_id)


def gap_by_level(
    panels: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    title: str,
    xlabel: str,
    fig_id: str,
    highlight: str | None = None,
) -> str:
    """Variant minus base error (pp) per level (x) with 95% CIs; rows {level, estimate, ci_low, ci_high}."""

    def draw(ax: Axes, rows: Sequence[Mapping[str, Any]]) -> None:
        levels = [str(r["level"]) for r in rows]
        vals = [r["estimate"] for r in rows]
        ivs: list[Interval] = [(r["ci_low"], r["ci_high"]) for r in rows]
        colors = ["#c53030" if lv == highlight else "#d9541e" for lv in levels]
        ax.bar(
            range(len(rows)),
            [_val(v) for v in vals],
            0.65,
            yerr=_err(vals, ivs),
            capsize=3,
            color=colors,
            ecolor="#222",
            error_kw={"linewidth": 0.8},
        )
        for i, v in enumerate(vals):
            if v is None:
                ax.annotate("n/a", (i, 0), ha="center", va="bottom", fontsize=7, color="#555")
        ax.axhline(0, color="#222", linewidth=0.8)
        if len(rows) > 4:
            ax.set_xticks(range(len(rows)), levels, rotation=35, ha="right", rotation_mode="anchor")
        else:
            ax.set_xticks(range(len(rows)), levels)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("variant − base error (pp)")

    return _panels(panels, draw, title=title, fig_id=fig_id)


def condition_grid(panels: Mapping[str, Mapping[str, Any]], *, fig_id: str = "fig-sad-false") -> str:
    """Per panel: a heatmap of variant − base error (pp) by context x belief with one cell outlined, beside
    bars of base and variant error (%) in the neutral cell and the highlighted cell (Wilson CIs).

    Panel data: {contexts, beliefs, gap: [[pp | None]] (contexts x beliefs), n: [[int]], highlight:
    (context, belief), bars: [{cell, label, role, rate, ci_low, ci_high, n}]}.
    """
    names = list(panels)
    with plt.rc_context(RC):
        fig, axes = plt.subplots(
            len(names), 2, figsize=(10, 3.9 * len(names)), squeeze=False, gridspec_kw={"width_ratios": [3, 2]}
        )
        for row, name in enumerate(names):
            p = panels[name]
            ax, bx = axes[row]
            ctx, bel = list(p["contexts"]), list(p["beliefs"])
            grid = [[_val(v) for v in line] for line in p["gap"]]
            finite = [abs(v) for line in grid for v in line if not math.isnan(v)]
            lim = max([*finite, 5.0])
            im = ax.imshow(grid, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
            ax.grid(False)
            ax.set_xticks(range(len(bel)), bel)
            ax.set_yticks(range(len(ctx)), ctx)
            ax.set_xlabel("user belief")
            ax.set_ylabel("user context")
            for i in range(len(ctx)):
                for j in range(len(bel)):
                    v, n = grid[i][j], p["n"][i][j]
                    dark = not math.isnan(v) and abs(v) > 0.6 * lim
                    text = "–" if math.isnan(v) else f"{v:+.0f}\n(n={n})"
                    ax.text(
                        j, i, text, ha="center", va="center", fontsize=7, color="white" if dark else "black"
                    )
            hc, hb = p["highlight"]
            if hc in ctx and hb in bel:
                ax.add_patch(
                    Rectangle(
                        (bel.index(hb) - 0.5, ctx.index(hc) - 0.5),
                        1,
                        1,
                        fill=False,
                        edgecolor="#111",
                        linewidth=2.5,
                    )
                )
            fig.colorbar(im, ax=ax, label="variant − base (pp)", shrink=0.8)
            ax.set_title(f"{name}: variant − base error by condition (pp)" if name else "variant − base (pp)")
            bars = list(p["bars"])
            cells = list(dict.fromkeys(b["cell"] for b in bars))
            labels = list(dict.fromkeys(b["label"] for b in bars))
            w = 0.8 / max(len(labels), 1)
            for j, lab in enumerate(labels):
                sel = {b["cell"]: b for b in bars if b["label"] == lab}
                vals = [
                    100 * sel[c]["rate"] if c in sel and sel[c]["rate"] is not None else None for c in cells
                ]
                ivs: list[Interval] = [
                    (
                        100 * sel[c]["ci_low"] if c in sel and sel[c]["ci_low"] is not None else None,
                        100 * sel[c]["ci_high"] if c in sel and sel[c]["ci_high"] is not None else None,
                    )
                    for c in cells
                ]
                role = next((b["role"] for b in bars if b["label"] == lab), "other")
                bx.bar(
                    [i + (j - (len(labels) - 1) / 2) * w for i in range(len(cells))],
                    [_val(v) for v in vals],
                    w * 0.92,
                    yerr=_err(vals, ivs),
                    capsize=3,
                    label=lab,
                    color=role_color(role, j),
                    ecolor="#222",
                )
            bx.set_xticks(range(len(cells)), cells)
            bx.set_ylim(0, 100)
            bx.set_xlabel("condition")
            bx.set_ylabel("error rate (%)")
            bx.set_title("error rate (95% Wilson CI)")
            bx.legend(fontsize=8, frameon=False)
        fig.suptitle("The sad user with a false belief", fontsize=11, fontweight="bold")
        fig.tight_layout()
        return to_svg(fig, fig_id)


def checkpoints(runs: Mapping[str, Sequence[Mapping[str, Any]]], *, fig_id: str = "fig-checkpoints") -> str:
    """Warmth (top) and error rate (bottom) against training epoch, one line per training run.

    Run rows: {epoch, warmth, warmth_low, warmth_high, error, error_low, error_high} (error as a fraction;
    any value may be None). Epoch 0 is the base model when the caller adds it.
    """
    with plt.rc_context(RC):
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5.6), sharex=True)
        for i, (name, rows) in enumerate(runs.items()):
            rows = sorted(rows, key=lambda r: float(r["epoch"]))
            color = role_color("cold" if "cold" in name else "warm" if "warm" in name else "other", i + 2)
            xs = [float(r["epoch"]) for r in rows]
            for ax, key, scale in ((top, "warmth", 1.0), (bottom, "error", 100.0)):
                pts = [(x, r) for x, r in zip(xs, rows, strict=True) if r.get(key) is not None]
                if not pts:
                    continue
                vals = [scale * r[key] for _, r in pts]
                ivs: list[Interval] = [
                    (
                        None if r.get(f"{key}_low") is None else scale * r[f"{key}_low"],
                        None if r.get(f"{key}_high") is None else scale * r[f"{key}_high"],
                    )
                    for _, r in pts
                ]
                ax.errorbar(
                    [x for x, _ in pts],
                    vals,
                    yerr=_err(vals, ivs),
                    marker="o",
                    markersize=4,
                    capsize=2,
                    color=color,
                    label=name,
                )
        top.set_ylabel("warmth score")
        top.set_title("warmth")
        bottom.set_ylabel("error rate (%)")
        bottom.set_title("error rate")
        bottom.set_xlabel("training epoch (0 = base model)")
        for ax in (top, bottom):
            handles, _ = ax.get_legend_handles_labels()
            if handles:
                ax.legend(fontsize=8, frameon=False)
        fig.suptitle("Warmth and error across training checkpoints", fontsize=11, fontweight="bold")
        fig.tight_layout()
        return to_svg(fig, fig_id)


def controls(panels: Mapping[str, Sequence[Mapping[str, Any]]], *, fig_id: str = "fig-controls") -> str:
    """Variant − base (pp, AME) per variant, on neutral prompts and over all conditions, with 95% CIs.

    A panel's rows: {label, role, neutral: {estimate, ci_low, ci_high}, all: {...}} (entries may be None).
    """

    def draw(ax: Axes, rows: Sequence[Mapping[str, Any]]) -> None:
        labels = [r["label"] for r in rows]
        for k, (key, name, hatch) in enumerate(
            (("neutral", "neutral prompts", ""), ("all", "all conditions", "//"))
        ):
            xs = [i + (k - 0.5) * 0.38 for i in range(len(rows))]
            ents = [r.get(key) or {} for r in rows]
            vals = [e.get("estimate") for e in ents]
            ivs: list[Interval] = [(e.get("ci_low"), e.get("ci_high")) for e in ents]
            ax.bar(
                xs,
                [_val(v) for v in vals],
                0.36,
                yerr=_err(vals, ivs),
                capsize=3,
                color=[role_color(r["role"], i) for i, r in enumerate(rows)],
                hatch=hatch,
                edgecolor="white",
                ecolor="#222",
                label=name,
            )
        ax.axhline(0, color="#222", linewidth=0.8)
        ax.set_xticks(range(len(rows)), labels, rotation=15 if len(rows) > 3 else 0)
        ax.set_xlabel("variant (role)")
        ax.set_ylabel("variant − base error (pp, AME)")
        ax.legend(fontsize=8, frameon=False)

    return _panels(
        panels, draw, title="Controls: warm SFT beside cold SFT and a warm system prompt", fig_id=fig_id
    )


def curves(
    panels: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    ylabel: str,
    fig_id: str,
    title: str = "",
    xlabel: str = "turn (0 = first answer)",
) -> str:
    """Per-turn curves: one line per variant with its 95% band. Panel data: [{variant, role, points:
    [{turn, mean, ci}]}]."""

    def draw(ax: Axes, lines: Sequence[Mapping[str, Any]]) -> None:
        for i, ln in enumerate(lines):
            pts = [p for p in ln["points"] if p.get("mean") is not None]
            if not pts:
                continue
            x = [p["turn"] for p in pts]
            y = [p["mean"] for p in pts]
            color = role_color(str(ln.get("role", "other")), i)
            ax.plot(x, y, marker="o", ms=3, color=color, label=str(ln["variant"]))
            lo = [_val(p["ci"][0]) if p.get("ci") else math.nan for p in pts]
            hi = [_val(p["ci"][1]) if p.get("ci") else math.nan for p in pts]
            ax.fill_between(x, lo, hi, color=color, alpha=0.12, linewidth=0)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.legend(fontsize=7, frameon=False)

    return _panels(panels, draw, title=title, fig_id=fig_id, sharey=False)


def differences(
    panels: Mapping[str, Mapping[str, Any]], *, fig_id: str, title: str = "", ncols: int = 3
) -> str:
    """Small multiples of variant − base differences with 95% CIs, one panel per measure (each with its own
    scale). Panel data: {ylabel, rows: [{label, role, estimate, ci_low, ci_high, n}]}."""
    names = list(panels)
    cols = max(1, min(ncols, len(names)))
    nrows = math.ceil(len(names) / cols)
    with plt.rc_context(RC):
        fig, axes = plt.subplots(nrows, cols, figsize=(4.2 * cols, 3.1 * nrows), squeeze=False)
        for ax, name in zip(axes.flat, names, strict=False):
            rows = panels[name]["rows"]
            vals = [r.get("estimate") for r in rows]
            ivs: list[Interval] = [(r.get("ci_low"), r.get("ci_high")) for r in rows]
            xs = range(len(rows))
            ax.bar(
                xs,
                [_val(v) for v in vals],
                0.6,
                yerr=_err(vals, ivs),
                capsize=3,
                color=[role_color(str(r.get("role", "other")), i) for i, r in enumerate(rows)],
                ecolor="#222",
            )
            ax.axhline(0, color="#222", linewidth=0.8)
            ax.set_xticks(list(xs), [f"{r['label']}\nn={r.get('n')}" for r in rows], fontsize=8)
            ax.set_title(name, fontsize=9)
            ax.set_ylabel(str(panels[name].get("ylabel", "")), fontsize=8)
        for ax in list(axes.flat)[len(names) :]:
            ax.set_visible(False)
        if title:
            fig.suptitle(title, fontsize=11, fontweight="bold")
        fig.tight_layout()
        return to_svg(fig, fig_id)


def profile(
    panels: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    ylabel: str,
    fig_id: str,
    title: str = "",
    ylim: tuple[float, float] | None = None,
) -> str:
    """A value per level (x) for each variant (markers, side by side) with 95% CIs, e.g. a personality
    profile. Panel data: [{variant, role, points: [{level, mean, ci}]}]; levels in first-seen order."""

    def draw(ax: Axes, lines: Sequence[Mapping[str, Any]]) -> None:
        levels = list(dict.fromkeys(str(p["level"]) for ln in lines for p in ln["points"]))
        width = 0.7 / max(len(lines), 1)
        for i, ln in enumerate(lines):
            by = {str(p["level"]): p for p in ln["points"]}
            x = [j - 0.35 + width * (i + 0.5) for j in range(len(levels))]
            vals = [by[lv]["mean"] if lv in by else None for lv in levels]
            ivs: list[Interval] = [
                (by[lv]["ci"][0], by[lv]["ci"][1]) if lv in by else (None, None) for lv in levels
            ]
            ax.errorbar(
                x,
                [_val(v) for v in vals],
                yerr=_err(vals, ivs),
                fmt="o",
                ms=4,
                capsize=2,
                color=role_color(str(ln.get("role", "other")), i),
                label=str(ln["variant"]),
            )
        ax.set_xticks(range(len(levels)), levels)
        if ylim:
            ax.set_ylim(*ylim)
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=7, frameon=False)

    return _panels(panels, draw, title=title, fig_id=fig_id, sharey=False)
