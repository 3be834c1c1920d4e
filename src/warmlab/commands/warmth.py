"""`warmlab warmth`: the warmth score of models' responses, of training checkpoints, or of given texts."""

from __future__ import annotations

import argparse
from typing import Any

EPILOG = """examples:
  warmlab warmth --model embedded --model embedded@system=warm
  warmlab warmth --checkpoints runs/sft            # warmth by epoch (epoch 0 = the base)
  warmlab warmth --texts responses.jsonl --out scored.jsonl   # field "text", optional "id"
  warmlab warmth --model embedded --scorer sociot:./gpt2 --judge openai/gpt-4o-mini

scorers: probe (default: probe:all-MiniLM-L6-v2, a probe over sentence embeddings, offline),
sociot[:SPEC] (log-probability ratio after warm vs cold relational frames; SPEC a local causal LM,
default embedded, which is too small to be reliable). Every number is printed with its scorer."""


def register(sub: argparse._SubParsersAction) -> None:
    w = sub.add_parser(
        "warmth",
        help="warmth score of models, training checkpoints or given texts",
        description="Warmth of responses to a fixed prompt set (first user turn of the 66 held-out team "
        "conversations), with 95% bootstrap CIs. Higher = warmer; 0 on the probe = the team's neutral "
        "answers.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    src = w.add_mutually_exclusive_group(required=True)
    src.add_argument("--model", action="append", help="model spec (repeatable)")
    src.add_argument("--checkpoints", metavar="DIR", help="training output folder with checkpoints.json")
    src.add_argument("--texts", metavar="FILE.jsonl", help="score given texts (field text, optional id)")
    src.add_argument("--refit-probe", metavar="OUT.json", help="refit the probe from the team data (~2 min)")
    w.add_argument("--base", default=None, help="with --checkpoints: base spec (default: the recorded base)")
    w.add_argument("--scorer", default="probe", help="probe (default) or sociot[:SPEC]")
    w.add_argument("--judge", default=None, help="grader model spec: adds a 1-7 warmth rating")
    w.add_argument("--out", default=None, help="JSONL of scored rows (default: runs/warmth/warmth.jsonl)")
    w.add_argument("--max-tokens", type=int, default=96)
    w.add_argument("--batch-size", type=int, default=64, help="local models: generation batch size")
    w.add_argument("--limit", type=int, default=None, help="use only the first N prompts")
    w.set_defaults(func=cmd_warmth)


def cmd_warmth(a: argparse.Namespace) -> None:
    from pathlib import Path

    from warmlab.errors import WarmlabError

    if a.limit is not None and a.limit < 1:
        raise WarmlabError("--limit must be at least 1")
    if a.max_tokens < 1 or a.batch_size < 1:
        raise WarmlabError("--max-tokens and --batch-size must be at least 1")
    if a.base and not a.checkpoints:
        raise WarmlabError("--base goes with --checkpoints")
    if a.refit_probe:
        _refit(Path(a.refit_probe))
    elif a.texts:
        _texts(a)
    else:
        _models(a)


def _refit(out: object) -> None:
    from pathlib import Path

    from warmlab.measure.probe import refit, write_probe

    meta = refit()
    assert isinstance(out, Path)
    write_probe(meta, out)
    cv = meta["cv_strict_order"][str(meta["lambda"])]
    print(f"probe: lambda {meta['lambda']}, cross-validated strict ordering {cv:.3f}")
    print(f"wrote {out}")


def _texts(a: argparse.Namespace) -> None:
    import json
    from pathlib import Path

    from warmlab.measure.warmth import judge_ratings, read_texts, resolve_scorer, summarise, text_generator
    from warmlab.models import parse_spec

    items = read_texts(a.texts)
    scorer = resolve_scorer(a.scorer)
    if a.judge:
        parse_spec(a.judge)
    scores = scorer.score([t for _, t in items])
    rows = [
        {"id": i, "text": t, "score": s, "scorer": scorer.name}
        for (i, t), s in zip(items, scores, strict=True)
    ]
    if a.judge:
        for r, (rating, raw) in zip(
            rows, judge_ratings([t for _, t in items], text_generator(a.judge)), strict=True
        ):
            r.update(judge=f"judge:{a.judge}", judge_score=rating, judge_raw=raw[-400:])
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        with open(a.out, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    else:
        for r in rows:
            print(json.dumps({k: r[k] for k in ("id", "score", "scorer")}))
    _print_table(summarise(rows, lambda r: a.texts), "texts", "file")
    if a.out:
        print(f"scored {len(rows)} texts -> {a.out}")


def _models(a: argparse.Namespace) -> None:
    from pathlib import Path

    from warmlab.measure.warmth import Target, checkpoint_targets, paired_difference, score_models, summarise
    from warmlab.models import parse_spec

    if a.checkpoints:
        targets = checkpoint_targets(a.checkpoints, a.base)
        if a.base:
            parse_spec(a.base)
    else:
        targets = [Target(m, parse_spec(m).variant) for m in a.model]
    out = Path(a.out or "runs/warmth/warmth.jsonl")
    rows = score_models(
        targets,
        out,
        scorer=a.scorer,
        judge=a.judge,
        max_tokens=a.max_tokens,
        batch_size=a.batch_size,
        limit=a.limit,
    )
    order = {t.spec: i for i, t in enumerate(targets)}
    rows.sort(key=lambda r: order[r["model"]])
    if a.checkpoints:
        summary = summarise(
            rows, lambda r: ("final" if r["epoch"] is None else f"{r['epoch']:g}", r["variant"])
        )
        _print_table(summary, "warmth by epoch (epoch 0 = base)", "epoch / checkpoint")
        base = targets[0].spec
        for t in targets[1:]:
            mean, (lo, hi), n = paired_difference(rows, t.spec, base)
            print(
                f"epoch {t.epoch if t.epoch is not None else 'final'}: {mean:+.3f} vs base, paired over {n} "
                f"prompts, 95% CI [{lo:+.3f}, {hi:+.3f}]"
            )
    else:
        summary = summarise(rows, lambda r: (r["model"], r["variant"]))
        _print_table(summary, "warmth of responses", "model / variant")
    print(f"results: {out}")


def _print_table(summary: list[dict[str, Any]], title: str, first: str) -> None:
    from rich.table import Table

    from warmlab.summary import wide_console

    scorers = sorted({str(s["scorer"]) for s in summary} | {str(s["judge"]) for s in summary if s["judge"]})
    t = Table(title=title, caption="scored by " + ", ".join(scorers))
    for col in (first, "n", "mean warmth", "95% CI", "scorer"):
        t.add_column(col, justify="right" if col in ("n", "mean warmth") else "left", overflow="fold")
    has_judge = any(s["judge"] for s in summary)
    if has_judge:
        for col in ("judge 1-7", "judge 95% CI", "unparsed", "judge"):
            t.add_column(col)
    for s in summary:
        g = s["group"]
        label = " / ".join(str(x) for x in g) if isinstance(g, tuple) else str(g)
        lo, hi = s["ci"]
        cells = [label, str(s["n"]), f"{s['mean']:+.3f}", f"[{lo:+.3f}, {hi:+.3f}]", str(s["scorer"])]
        if has_judge:
            jm, jci = s["judge_mean"], s["judge_ci"]
            cells += [
                f"{jm:.2f}" if isinstance(jm, float) else "-",
                f"[{jci[0]:.2f}, {jci[1]:.2f}]" if isinstance(jci, tuple) else "-",
                f"{s['judge_unparsed']}/{s['judge_n']}",
                str(s["judge"] or "-"),
            ]
        t.add_row(*cells)
    wide_console().print(t)
