"""The therapist battery's own report section: the key figure (problem-solving when the client shares a
negative feeling and asks for no advice) by the offline classifier and by the judge with their agreement,
the behaviour profile per variant beside AnnoMI counsellors in high- and low-quality sessions, AnnoMI's
own labels, and the classifier's held-out accuracy."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from warmlab.classifiers.talk import BEHAVIOURS
from warmlab.tasks.human import NOT_COMPUTED, reference

e = html.escape
KEY = "problem_solving_unasked"
KEY_GROUP = "problem-solving, no advice asked"
QUALITIES = (("high", "AnnoMI counsellors, high quality"), ("low", "AnnoMI counsellors, low quality"))


def source_note(ref: Mapping[str, Any] | None) -> str:
    if not ref:
        return NOT_COMPUTED
    size = "all turns" if ref.get("limit") is None else f"at most {ref['limit']} turns per quality"
    return f"from {ref.get('source')} (classifier profile over {size}; AnnoMI's labels over all turns)"


def _entry(mode: Mapping[str, Any], oid: str) -> Mapping[str, Any] | None:
    return next((o for o in mode.get("outcomes") or [] if o["outcome"] == oid), None)


def _role(roles: Mapping[str, str], variant: str) -> str:
    return roles.get(variant, "base" if variant == "base" else "other")


def figure_rows(
    mode: Mapping[str, Any], roles: Mapping[str, str], human: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """Bars: the key figure first, then each behaviour over all disclosures, per variant; AnnoMI
    counsellor turns by the same classifier beside them."""
    groups = [(KEY, KEY_GROUP, "problem_solving"), ("any_reflection", "any reflection", None)]
    groups += [(b, b.replace("_", "-"), b) for b in BEHAVIOURS]
    prof = (human or {}).get("behaviours") or {}
    rows: list[dict[str, Any]] = []
    for oid, group, human_key in groups:
        for v in (_entry(mode, oid) or {}).get("variants") or []:
            if v.get("n"):
                ci = v.get("ci") or [None, None]
                rows.append(
                    {
                        "group": group,
                        "label": str(v["variant"]),
                        "role": _role(roles, v["variant"]),
                        "value": v["mean"],
                        "ci_low": ci[0],
                        "ci_high": ci[1],
                    }
                )
        for q, label in QUALITIES:
            p = prof.get(q) or {}
            if p.get("n") and human_key is not None:
                rows.append(
                    {
                        "group": group,
                        "label": f"{label} (n={p['n']})",
                        "value": p[human_key],
                        "reference": True,
                    }
                )
    return rows


def _rate(v: Mapping[str, Any] | None) -> str:
    if not v or not v.get("n"):
        return "–"
    lo, hi = v.get("ci") or [None, None]
    ci = "" if lo is None or hi is None else f" [{100 * lo:.1f}, {100 * hi:.1f}]"
    return f"{100 * v['mean']:.1f}%{ci} (n={v['n']})"


def _diff(p: Mapping[str, Any] | None) -> str:
    if not p or not p.get("n_pairs"):
        return "–"
    lo, hi = p.get("ci") or [None, None]
    ci = "" if lo is None or hi is None else f" [{100 * lo:+.1f}, {100 * hi:+.1f}]"
    return f"{100 * p['diff']:+.1f} pp{ci}"


def key_rows(mode: Mapping[str, Any]) -> list[list[str]]:
    """Per variant: the key figure by the offline classifier and by the judge, each with its paired
    difference from the base."""
    off, judge = _entry(mode, KEY) or {}, _entry(mode, f"{KEY}_judge") or {}
    by_judge = {v["variant"]: v for v in judge.get("variants") or []}
    pj = {p["variant"]: p for p in judge.get("paired") or []}
    po = {p["variant"]: p for p in off.get("paired") or []}
    out = []
    for v in off.get("variants") or []:
        name = v["variant"]
        out.append([name, _rate(v), _diff(po.get(name)), _rate(by_judge.get(name)), _diff(pj.get(name))])
    return out


def label_rows(labels: Mapping[str, Any]) -> list[list[str]]:
    out = []
    for q, label in QUALITIES:
        p = labels.get(q) or {}
        if p.get("n"):
            cells = [f"{100 * p[k]:.1f}%" for k in ("reflection", "question", "therapist_input", "other")]
            out.append([f"{label} (n={p['n']})", *cells])
    return out


def accuracy_note() -> str:
    from warmlab.classifiers.talk import load_meta

    per = (load_meta("therapist").get("heldout") or {}).get("per_behaviour") or {}
    ps = per.get("problem_solving") or {}
    team, bolt = ps.get("team_replies") or {}, ps.get("bolt_transcribed") or {}
    if not team:
        return "The offline problem-solving classifier has no held-out figure in its weights."
    return (
        f"Offline problem-solving classifier, held out: F1 {team['f1']:.2f} on team replies kept apart by "
        f"scenario ({team['n_positive']} positive of {team['n']}: a small set), F1 {bolt.get('f1', 0):.2f} "
        f"on BOLT's transcribed session utterances ({bolt.get('n_positive', 0)} of {bolt.get('n', 0)}, never "
        "trained on). Read the offline key figure with that in mind; bind a judge (grader role) for the "
        "second reading and its agreement."
    )


def agreement_note(mode: Mapping[str, Any]) -> str:
    ags = (_entry(mode, KEY) or {}).get("agreement") or []
    parts = []
    for a in ags:
        kappa = "–" if a["kappa"] is None else f"{a['kappa']:.2f}"
        parts.append(
            f"{a['scorers'][0]} vs {a['scorers'][1]}: {100 * a['agreement']:.0f}% of {a['n']} replies, "
            f"Cohen's kappa {kappa}"
        )
    return "; ".join(parts) or "no judge ran beside the offline classifier: no agreement to report"


def judge_unparsed(rows: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """(unparsed, judged) judge replies over the rows."""
    judged = [v for r in rows for k, v in (r.get("by_scorer") or {}).items() if str(k).startswith("judge:")]
    return sum(1 for v in judged if v.get("judge_unparsed")), len(judged)


def therapist_report(
    rows: Sequence[Mapping[str, Any]],
    stats: Mapping[str, Any],
    roles: Mapping[str, str],
) -> str:
    from warmlab.report import figures as F
    from warmlab.report.page import figure, table

    mode = (stats.get("modes") or {}).get("generate")
    if not mode:
        return ""
    out = [
        "<h3>Key figure: problem-solving when no advice was asked</h3>",
        '<p class="note">Replies to disclosures that share a negative feeling and do not ask for advice; '
        "rates with 95% Wilson intervals, differences from the base paired per disclosure "
        "(item-clustered bootstrap).</p>",
        table(["variant", "offline", "offline vs base", "judge", "judge vs base"], key_rows(mode)),
        f'<p class="note">agreement: {e(agreement_note(mode))}</p>',
    ]
    bad, judged = judge_unparsed(rows)
    if judged:
        out.append(f'<p class="note">judge replies unparsed (left out): {bad} of {judged}</p>')
    out.append(f'<p class="note">{e(accuracy_note())}</p>')
    human = reference(rows)
    out.append(f'<p class="note">human baselines: {e(source_note(human))}</p>')
    bars = figure_rows(mode, roles, human)
    out.append(
        figure(
            "fig-therapist-profile",
            (
                lambda: F.grouped_bars(
                    {"": bars},
                    title="Therapist behaviours per variant beside AnnoMI counsellors",
                    ylabel="share of replies (%)",
                    fig_id="fig-therapist-profile",
                    highlight=(KEY_GROUP,),
                )
            )
            if bars
            else None,
            "Share of replies showing each BOLT behaviour (95% Wilson intervals); shaded: problem-solving on "
            "disclosures that share a negative feeling without asking for advice. Hatched: counsellor turns "
            "in AnnoMI's high- and low-quality sessions, labelled by the same classifier (transcribed "
            "speech: its reflection labels are not valid there, see AnnoMI's own labels below).",
        )
    )
    labels = (human or {}).get("labels") or {}
    if labels:
        out.append(
            '<p class="note">AnnoMI\'s own human labels of counsellor turns (exact, coarser scale):</p>'
        )
        out.append(
            table(["sessions", "reflection", "question", "therapist input", "other"], label_rows(labels))
        )
    return "\n".join(out)
