"""The therapist battery's own report section: the key figure (problem-solving when the client shares a
negative feeling and asks for no advice) by the offline classifier and by the judge with their agreement,
the behaviour profile per variant beside AnnoMI counsellors in high- and low-quality sessions, AnnoMI's
own labels, and the classifier's held-out accuracy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from warmlab.classifiers.talk import BEHAVIOURS
from warmlab.tasks.human import not_computed, reference
from warmlab.tasks.therapist.outcomes import REFLECTIONS

KEY = "problem_solving_unasked"
QUALITIES = (("high", "AnnoMI counsellors, high quality"), ("low", "AnnoMI counsellors, low quality"))


def source_note(ref: Mapping[str, Any] | None) -> str:
    why = not_computed(ref)
    if why is not None or ref is None:
        return why or ""
    size = "all turns" if ref.get("limit") is None else f"at most {ref['limit']} turns per quality"
    return f"from {ref.get('source')} (classifier profile over {size}; AnnoMI's labels over all turns)"


REFLECTION_GROUPS = ("any_reflection", *REFLECTIONS)
OTHER_GROUPS = tuple(b for b in BEHAVIOURS if b not in REFLECTIONS)
KEY_GROUPS = (
    (KEY, "no advice asked (key)"),
    ("problem_solving_asked", "advice asked"),
    ("problem_solving", "all disclosures"),
)


def _bars(
    stats: Mapping[str, Any],
    roles: Mapping[str, str],
    human: Mapping[str, Any] | None,
    groups: Sequence[tuple[str, str, str | None]],
) -> list[dict[str, Any]]:
    """Bars for (outcome id, group label, AnnoMI profile key or None) per variant, then AnnoMI counsellor
    turns by the same classifier."""
    from warmlab.report.sections import entry, variant_bars

    prof = (human or {}).get("behaviours") or {}
    rows: list[dict[str, Any]] = []
    for oid, group, human_key in groups:
        rows += variant_bars(entry(stats, oid), group, roles)
        for q, label in QUALITIES:
            p = prof.get(q) or {}
            if p.get("n") and human_key is not None:
                rows.append(
                    {"group": group, "label": f"{label} (n={p['n']})", "role": "human", "value": p[human_key]}
                )
    return rows


def figure_panels(
    stats: Mapping[str, Any], roles: Mapping[str, str], human: Mapping[str, Any] | None
) -> dict[str, list[dict[str, Any]]]:
    """The three figures' bars: problem-solving by whether advice was asked (the key figure), the
    reflections, and the other behaviours (all disclosures)."""
    return {
        "key": _bars(stats, roles, human, [(o, g, "problem_solving") for o, g in KEY_GROUPS]),
        "reflections": _bars(
            stats,
            roles,
            human,
            [(b, b.replace("_", " "), None) for b in REFLECTION_GROUPS],
        ),
        "other": _bars(stats, roles, human, [(b, b.replace("_", "-"), b) for b in OTHER_GROUPS]),
    }


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


def key_rows(stats: Mapping[str, Any], roles: Mapping[str, str]) -> list[list[str]]:
    """Per variant: the key figure by the offline classifier and by the judge, each with its paired
    difference from the base."""
    from warmlab.report.sections import entry, variant_order

    off, judge = entry(stats, KEY) or {}, entry(stats, f"{KEY}_judge") or {}
    by_off = {v["variant"]: v for v in off.get("variants") or []}
    by_judge = {v["variant"]: v for v in judge.get("variants") or []}
    po = {p["variant"]: p for p in off.get("paired") or []}
    pj = {p["variant"]: p for p in judge.get("paired") or []}
    return [
        [name, _rate(by_off.get(name)), _diff(po.get(name)), _rate(by_judge.get(name)), _diff(pj.get(name))]
        for name in variant_order(list(by_off), roles)
    ]


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


def agreement_note(stats: Mapping[str, Any]) -> str:
    from warmlab.report.sections import entry

    parts = []
    for a in (entry(stats, KEY) or {}).get("agreement") or []:
        kappa = "–" if a["kappa"] is None else f"{a['kappa']:.2f}"
        parts.append(
            f"{a['scorers'][0]} vs {a['scorers'][1]}: {100 * a['agreement']:.0f}% of {a['n']} replies, "
            f"Cohen's kappa {kappa}"
        )
    return "; ".join(parts) or "no judge ran beside the offline classifier: no agreement to report"


def judge_unparsed(rows: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """(unparsed, judged) judge replies over the rows."""
    flags = [(r.get("outcomes") or {}).get("judge_unparsed") for r in rows]
    return sum(1 for f in flags if f), sum(1 for f in flags if f is not None)


CAPTIONS = {
    "key": "Problem-solving (offers solutions or advice), by whether the client asked for advice; the key "
    "figure is on disclosures that share a negative feeling without asking. Bars: 95% Wilson intervals.",
    "reflections": "Replies reflecting the client's needs, emotions, values, consequences, conflicts or "
    "strengths (all disclosures). AnnoMI counsellors are left out here: on transcribed speech the reflection "
    "probes are not valid (see AnnoMI's own labels below).",
    "other": "Questions, problem-solving, planning, normalizing and psychoeducation (all disclosures).",
}
HATCHED = (
    " Dark, hatched: counsellor turns in AnnoMI's high- and low-quality sessions, labelled by the same "
    "classifier."
)
TITLES = {
    "key": "Problem-solving when no advice was asked",
    "reflections": "Reflections",
    "other": "Other therapist behaviours",
}


def therapist_report(
    rows: Sequence[Mapping[str, Any]], stats: Mapping[str, Any], roles: Mapping[str, str]
) -> str:
    from warmlab.report.plots import grouped_bars
    from warmlab.report.sections import entry, figure, note, table

    if not entry(stats, KEY):
        return ""
    out = [
        "<h3>Key figure: problem-solving when no advice was asked</h3>",
        note(
            "Replies to disclosures that share a negative feeling and do not ask for advice; rates with 95% "
            "Wilson intervals, differences from the base paired per disclosure (item-clustered bootstrap)."
        ),
        table(["variant", "offline", "offline vs base", "judge", "judge vs base"], key_rows(stats, roles)),
        note(f"agreement: {agreement_note(stats)}"),
    ]
    bad, judged = judge_unparsed(rows)
    if judged:
        out.append(note(f"judge replies unparsed (left out): {bad} of {judged}"))
    out.append(note(accuracy_note()))
    ref = reference(rows)
    human = None if not_computed(ref) else ref
    out.append(note(f"human baselines: {source_note(ref)}"))
    for name, bars in figure_panels(stats, roles, human).items():
        fig_id = f"fig-therapist-{name}"
        draw = partial(
            grouped_bars,
            {"": bars},
            title=TITLES[name],
            ylabel="share of replies (%)",
            fig_id=fig_id,
            percent=True,
        )
        caption = CAPTIONS[name] + ("" if name == "reflections" else HATCHED)
        out.append(figure(fig_id, draw if bars else None, caption))
    labels = (human or {}).get("labels") or {}
    if labels:
        out.append(note("AnnoMI's own human labels of counsellor turns (exact, coarser scale):"))
        out.append(
            table(["sessions", "reflection", "question", "therapist input", "other"], label_rows(labels))
        )
    return "\n".join(out)
