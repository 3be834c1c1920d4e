"""`warmlab warmth`: the warmth score of models' responses, of training checkpoints, or of given texts."""

from __future__ import annotations

import argparse
from typing import Any

from warmlab.commands import _args

EPILOG = """examples:
  warmlab warmth --model embedded --model embedded@system=warm
  warmlab warmth --checkpoints runs/sft            # warmth by epoch (epoch 0 = the base)
  warmlab warmth --texts responses.jsonl --out scored.jsonl   # field "text", optional "id"
  (--model and --checkpoints run the `warmth` battery: rows in OUT/results.jsonl, as `warmlab eval`)
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
    src.add_argument("--model", action="append", type=_args.spec_text, help="model spec (repeatable)")
    src.add_argument(
        "--checkpoints",
        metavar="DIR",
        type=_args.path_text,
        help="training output folder with checkpoints.json",
    )
    src.add_argument(
        "--texts",
        metavar="FILE.jsonl",
        type=_args.path_text,
        help="score given texts (field text, optional id)",
    )
    src.add_argument(
        "--refit-probe",
        metavar="OUT.json",
        type=_args.path_text,
        help="refit the probe from the team data (~2 min)",
    )
    w.add_argument(
        "--base",
        default=None,
        type=_args.spec_text,
        help="with --checkpoints: base spec (default: the recorded base)",
    )
    w.add_argument("--scorer", default="probe", help="probe (default) or sociot[:SPEC]")
    w.add_argument(
        "--judge", default=None, type=_args.spec_text, help="grader model spec: adds a 1-7 warmth rating"
    )
    w.add_argument(
        "--out",
        default=None,
        type=_args.path_text,
        help="with --model/--checkpoints: results folder (default runs/warmth); with --texts: a JSONL file",
    )
    _args.add_max_tokens(w, 96, "tokens per response")
    _args.add_batch_size(w, 64, "local models: generation batch size")
    _args.add_limit(w, "use only the first N prompts")
    w.set_defaults(func=cmd_warmth)


def cmd_warmth(a: argparse.Namespace) -> None:
    from pathlib import Path

    from warmlab.core.io import out_file
    from warmlab.errors import WarmlabError

    if a.base and not a.checkpoints:
        raise WarmlabError("--base goes with --checkpoints")
    if a.refit_probe:
        if a.out or a.judge:
            raise WarmlabError("--refit-probe writes OUT.json itself; it takes no --out or --judge")
        _refit(out_file(Path(a.refit_probe), flag="--refit-probe"))
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
    import asyncio
    import json
    from pathlib import Path

    from warmlab.core.io import out_file, write_jsonl
    from warmlab.measure.warmth import judge_prompt, parse_rating, read_texts, resolve_scorer
    from warmlab.models import inspect_model
    from warmlab.stats.intervals import bootstrap_mean

    if a.out:
        out_file(Path(a.out), Path(a.texts))
    items = read_texts(a.texts)
    scorer = resolve_scorer(a.scorer)
    judge = inspect_model(a.judge) if a.judge else None
    scores = scorer.score([t for _, t in items])
    rows: list[dict[str, Any]] = [
        {"id": i, "text": t, "score": s, "scorer": scorer.name}
        for (i, t), s in zip(items, scores, strict=True)
    ]
    if judge is not None:
        from inspect_ai.model import GenerateConfig

        async def rate_all() -> list[str]:
            cfg = GenerateConfig(max_tokens=256, temperature=0.0)
            outs = await asyncio.gather(*(judge.generate(judge_prompt(t), config=cfg) for _, t in items))
            return [o.completion for o in outs]

        for r, raw in zip(rows, asyncio.run(rate_all()), strict=True):
            r.update(judge=f"judge:{a.judge}", judge_score=parse_rating(raw), judge_raw=raw[-400:])
    if a.out:
        write_jsonl(Path(a.out), rows)
    else:
        for r in rows:
            print(json.dumps({k: r[k] for k in ("id", "score", "scorer")}))
    vals = [float(r["score"]) for r in rows]
    lo, hi = bootstrap_mean(vals)
    mean = sum(vals) / len(vals)
    print(f"{a.texts}: n {len(vals)}, mean warmth {mean:+.3f} [{lo:+.3f}, {hi:+.3f}] ({scorer.name})")
    if judge is not None:
        ratings = [r["judge_score"] for r in rows if r["judge_score"] is not None]
        unparsed = len(rows) - len(ratings)
        avg = f"{sum(ratings) / len(ratings):.2f}" if ratings else "-"
        print(f"judge:{a.judge}: mean rating {avg} (1-7), {unparsed} of {len(rows)} unparsed")
    if a.out:
        print(f"scored {len(rows)} texts -> {a.out}")


def _models(a: argparse.Namespace) -> None:
    from pathlib import Path

    from warmlab.core.io import out_folder
    from warmlab.models import parse_spec
    from warmlab.results import load_results
    from warmlab.results.runner import EvalSettings, run_eval
    from warmlab.train.checkpoints import Target, checkpoint_targets

    if a.out:
        out_folder(Path(a.out))
    if a.checkpoints:
        targets = checkpoint_targets(a.checkpoints, a.base)
        if a.base:
            parse_spec(a.base)
    else:
        targets = [Target(m, parse_spec(m).variant) for m in a.model]
    out = Path(a.out or "runs/warmth")
    if out.suffix == ".jsonl":
        from warmlab.errors import WarmlabError

        raise WarmlabError(f"--out {out}: give a results folder (rows go to FOLDER/results.jsonl)")
    base = targets[0].spec
    labels = {t.spec: (t.variant, parse_spec(base).base_spec) for t in targets}
    extra = {t.spec: {"epoch": t.epoch, "run": t.run} for t in targets if a.checkpoints}
    settings = EvalSettings(
        task="warmth",
        args={"scorer": a.scorer},
        limit=a.limit,
        max_tokens=a.max_tokens,
        batch_size=a.batch_size,
    )
    path = run_eval(
        [t.spec for t in targets], ["generate"], out, settings, judge=a.judge, labels=labels, extra=extra
    )
    rows = load_results(path, task="warmth")
    summary_table(rows, targets, paired_with=base if a.checkpoints else None)
    print(f"results: {path}")


def summary_table(rows: list[dict[str, Any]], targets: list[Any], paired_with: str | None = None) -> None:
    """Mean warmth per target with its 95% bootstrap CI (and the judge's ratings when present); with
    `paired_with`, the mean paired difference from that model over the same prompts."""
    from rich.table import Table

    from warmlab.core.console import wide_console
    from warmlab.stats.intervals import bootstrap_mean, cluster_bootstrap

    by: dict[str, dict[str, dict[str, Any]]] = {}
    for r in rows:
        by.setdefault(r["model"], {})[r["sample_id"]] = r
    scorers = sorted({str(r.get("scorer")) for r in rows})
    t = Table(title="warmth of responses", caption="scored by " + ", ".join(scorers))
    cols = ["model / variant", "epoch", "n", "mean warmth [95% CI]"]
    if paired_with:
        cols.append("vs epoch 0 [95% CI]")
    judged = any("judge_rating" in (r.get("outcomes") or {}) for r in rows)
    if judged:
        cols += ["judge 1-7 [95% CI]", "unparsed"]
    for c in cols:
        t.add_column(c, overflow="fold")
    ref = by.get(paired_with or "", {})
    for tg in targets:
        mine = by.get(tg.spec, {})
        vals = [float(r["outcomes"]["warmth"]) for r in mine.values()]
        if not vals:
            continue
        lo, hi = bootstrap_mean(vals)
        cells = [f"{tg.spec} [{tg.variant}]", "-" if tg.epoch is None else f"{tg.epoch:g}", str(len(vals))]
        cells.append(f"{sum(vals) / len(vals):+.3f} [{lo:+.3f}, {hi:+.3f}]")
        if paired_with:
            pairs = [
                (float(r["outcomes"]["warmth"]) - float(ref[s]["outcomes"]["warmth"]), s)
                for s, r in mine.items()
                if s in ref
            ]
            if pairs and tg.spec != paired_with:
                d = [x for x, _ in pairs]
                plo, phi = cluster_bootstrap(d, [s for _, s in pairs])
                ci = f" [{plo:+.3f}, {phi:+.3f}]" if plo is not None and phi is not None else ""
                cells.append(f"{sum(d) / len(d):+.3f}{ci} (n {len(d)})")
            else:
                cells.append("-")
        if judged:
            ratings = [r["outcomes"].get("judge_rating") for r in mine.values()]
            got = [float(x) for x in ratings if x is not None]
            jlo, jhi = bootstrap_mean(got)
            cells.append(f"{sum(got) / len(got):.2f} [{jlo:.2f}, {jhi:.2f}]" if got else "-")
            cells.append(f"{len(ratings) - len(got)}/{len(ratings)}")
        t.add_row(*cells)
    wide_console().print(t)
