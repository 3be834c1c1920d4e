"""`warmlab directions extract|monitor|screen`: persona directions of local models (warmlab.directions)."""

from __future__ import annotations

import argparse
import sys

EPILOG = """examples:
  warmlab directions extract --model embedded --trait warmth          # saved for `embedded@cap=warmth:95`
  warmlab directions monitor --direction warmth --base embedded --model embedded@system=warm
  warmlab directions monitor --direction warmth --checkpoints runs/sft-warm   # every epoch checkpoint
  warmlab directions screen --direction warmth --base embedded --data starter --style warm --limit 48

Layer l is the output of decoder block l (0-based). Projections are onto the unit direction."""


def register(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser(
        "directions",
        help="persona directions: extract, monitor variants, screen training data",
        description="Trait directions in a local model's residual stream (persona vectors, "
        "arXiv:2507.21509): extract one, measure variants' shift along it without generating, rank "
        "training conversations by it. Inference-time use: model specs SPEC@cap=TRAIT:P and "
        "SPEC@steer=TRAIT:A.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dsub = d.add_subparsers(dest="directions_command", required=True, parser_class=type(d))
    e = dsub.add_parser("extract", help="extract a trait direction (layer chosen on held-out contrasts)")
    e.add_argument("--model", default="embedded", help="local model spec (embedded, a folder, BASE+ADAPTER)")
    e.add_argument("--trait", required=True, help="warmth or sycophancy")
    e.add_argument("--source", default=None, help="warmth: system, rewrites or system+rewrites (default)")
    e.add_argument("--limit", type=int, default=32, help="prompts or items (default 32)")
    e.add_argument("--heldout", type=float, default=0.25, help="share of prompts held out (default 0.25)")
    e.add_argument("--max-tokens", type=int, default=48, help="length of the model's own replies")
    e.add_argument("--batch-size", type=int, default=32)
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--out", default=None, help="direction file (default: the store, found by trait name)")
    e.set_defaults(func=cmd_extract)

    m = dsub.add_parser("monitor", help="projection shift of variants and checkpoints vs their base")
    m.add_argument("--direction", default="warmth", help="a trait (the base's saved direction) or a file")
    m.add_argument("--base", default=None, help="base spec (default: embedded, or the run's recorded base)")
    m.add_argument("--model", action="append", default=[], help="variant spec (repeatable)")
    m.add_argument("--checkpoints", metavar="DIR", default=None, help="a training run with checkpoints.json")
    m.add_argument("--limit", type=int, default=None, help="first N prompts (of 66)")
    m.add_argument("--out", default="runs/directions/monitor.jsonl", help="rows, one per model and prompt")
    m.set_defaults(func=cmd_monitor)

    s = dsub.add_parser("screen", help="rank training conversations by their projection difference")
    s.add_argument("--direction", default="warmth", help="a trait (the base's saved direction) or a file")
    s.add_argument("--base", default="embedded", help="base model spec")
    s.add_argument("--data", default="starter", help="conversations, as for `warmlab train sft --data`")
    s.add_argument("--style", default="warm", help="warm or cold: the rewrites to screen")
    s.add_argument("--limit", type=int, default=None, help="a seeded sample of N conversations (as sft)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--max-tokens", type=int, default=64, help="length of the base's own replies")
    s.add_argument("--out", default="runs/directions/screen.jsonl", help="ranking, highest first")
    s.set_defaults(func=cmd_screen)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def cmd_extract(a: argparse.Namespace) -> None:
    from warmlab.directions.extract import extract
    from warmlab.directions.store import save_direction, saved_path
    from warmlab.errors import WarmlabError
    from warmlab.models import parse_spec

    if a.limit < 2 or a.max_tokens < 1 or a.batch_size < 1:
        raise WarmlabError("--limit must be at least 2, --max-tokens and --batch-size at least 1")
    spec = parse_spec(a.model)
    direction, scores = extract(
        a.model, a.trait, a.source, a.limit, a.heldout, a.seed, a.max_tokens, a.batch_size, log=_log
    )
    key = (spec.base or a.model) + (f"+{spec.adapter}" if spec.adapter else "")
    path = save_direction(direction, a.out or saved_path(key, a.trait))
    print(f"{'layer':>5}  {'held-out d':>10}  pairs ordered")
    for s in scores:
        mark = "  <- chosen" if s.layer == direction.layer else ""
        print(f"{s.layer:>5}  {s.d:>10.2f}  {s.pair_accuracy:>12.2f}{mark}")
    m = direction.meta
    print(
        f"{a.trait} direction of {a.model}: layer {direction.layer} of {direction.n_layers}, held-out d "
        f"{scores[direction.layer].d:.2f}, {m['n_heldout']} of {m['n_pairs']} contrasts held out, "
        f"|v| {direction.norm:.3f}, {m['seconds']['total']:.0f} s"
    )
    print(f"saved {path}")


def cmd_monitor(a: argparse.Namespace) -> None:
    from pathlib import Path

    from warmlab.directions.monitor import monitor, monitor_prompts, targets
    from warmlab.directions.store import load_direction, resolve_direction
    from warmlab.errors import WarmlabError
    from warmlab.models import parse_spec

    if not a.model and not a.checkpoints:
        raise WarmlabError("give --model SPEC (repeatable) and/or --checkpoints DIR")
    if a.limit is not None and a.limit < 1:
        raise WarmlabError("--limit must be at least 1")
    base = a.base
    if base is None and a.checkpoints:
        from warmlab.train.checkpoints import checkpoint_targets

        base = checkpoint_targets(a.checkpoints)[0].spec
    base = base or "embedded"
    spec = parse_spec(base)
    if spec.base is None:
        raise WarmlabError(f"--base must be a local model, not {base!r}")
    direction = load_direction(resolve_direction(a.direction, spec.base))
    ts = targets(base, a.model, a.checkpoints)
    rows, shifts = monitor(ts, direction, monitor_prompts(a.limit), Path(a.out), log=_log)
    n = len({r["prompt_id"] for r in rows})
    print(
        f"{direction.trait} direction, layer {direction.layer} ({direction.path}); {n} prompts, no generation"
    )
    print(f"{'model':<48} {'epoch':>5}  {'prompt shift [95% CI]':<28} {'reply shift [95% CI]':<28}")
    for s in shifts:
        ep = "" if s.epoch is None else f"{s.epoch:g}"
        shift = f"{_ci(s.prompt, s.prompt_ci):<28} {_ci(s.response, s.response_ci):<28}"
        print(f"{s.variant[:48]:<48} {ep:>5}  {shift}")
    print(f"rows: {a.out}")


def _ci(mean: float, ci: tuple[float, float]) -> str:
    return f"{mean:+.3f} [{ci[0]:+.3f}, {ci[1]:+.3f}]"


def cmd_screen(a: argparse.Namespace) -> None:
    import json
    from pathlib import Path

    from warmlab.directions.screen import ranking, screen_scores
    from warmlab.directions.store import load_direction, resolve_direction
    from warmlab.errors import WarmlabError
    from warmlab.models import parse_spec
    from warmlab.train.sft import select_conversations

    if a.limit is not None and a.limit < 1:
        raise WarmlabError("--limit must be at least 1")
    spec = parse_spec(a.base)
    if spec.base is None:
        raise WarmlabError(f"--base must be a local model, not {a.base!r}")
    direction = load_direction(resolve_direction(a.direction, spec.base))
    convs, _ = select_conversations(a.data, a.style, a.limit, a.seed)
    ranked = ranking(screen_scores(convs, a.base, direction, a.max_tokens, log=_log))
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for rank, s in enumerate(ranked, 1):
            f.write(
                json.dumps({"rank": rank, "id": s.id, "score": s.score, "train": s.train, "base": s.base})
            )
            f.write("\n")
    what = f"(training reply - base's own reply, along {a.direction})"
    print(f"{'rank':>4}  {'conversation':<20} {'score':>8}  {what}")
    for rank, s in enumerate(ranked[:10], 1):
        print(f"{rank:>4}  {s.id:<20} {s.score:>+8.3f}")
    print(f"{len(ranked)} conversations ranked -> {out}; `warmlab train sft --screen F` drops the top F")


def main(argv: list[str] | None = None) -> None:
    """`python -m warmlab.commands.directions directions ...`: the same command with the CLI's error
    handling, for use before `warmlab` lists this module."""
    from warmlab.errors import WarmlabError

    p = argparse.ArgumentParser(prog="warmlab")
    register(p.add_subparsers(dest="command", required=True))
    a = p.parse_args(argv)
    try:
        a.func(a)
    except WarmlabError as e:
        print(f"warmlab: error: {e}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
