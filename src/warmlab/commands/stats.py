"""`warmlab stats`: error rates, paired tests and the paper's logistic models over a results table."""

from __future__ import annotations

import argparse

from warmlab.commands import _args


def cmd_stats(a: argparse.Namespace) -> None:
    import json
    from pathlib import Path

    from warmlab.core.io import out_file, write_atomic
    from warmlab.errors import WarmlabError
    from warmlab.stats import analyse
    from warmlab.stats.console import print_result

    warnings: list[str] = []
    if a.paper_layout:
        from warmlab.stats.paper import load_paper_layout

        layout = Path(a.paper_layout)
        if not layout.is_dir():
            raise WarmlabError(f"--paper-layout {layout}: no such folder")
        inputs = [p for p in layout.rglob("*") if p.is_file()]
        out = out_file(Path(a.out), *inputs) if a.out else None
        rows, warnings = load_paper_layout(a.paper_layout)
        source = str(a.paper_layout)
    else:
        from warmlab.results import read_results

        path = Path(a.results)
        if path.is_dir():
            path = path / "results.jsonl"
        if not path.is_file():
            raise WarmlabError(f"{path} does not exist (give a results folder or its results.jsonl)")
        out = out_file(Path(a.out), path) if a.out else None
        rows = read_results(path)
        source = str(path)
        if not rows:
            raise WarmlabError(f"{path}: no result rows")
    res = analyse(
        rows,
        refusal_rule=a.refusal_rule,
        mode=a.mode,
        headline=a.headline,
        length_covariate=a.length_covariate,
        bootstrap=a.bootstrap,
        seed=a.seed,
        source=source,
        warnings=warnings,
    )
    print_result(res)
    if out is not None:
        write_atomic(out, json.dumps(res, indent=2, allow_nan=False) + "\n")
        print(f"stats: {out}")


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser(
        "stats",
        help="error rates, paired tests and the paper's logistic models (AMEs) over results",
        description="Error rates with Wilson CIs, paired variant-vs-base tests (exact McNemar, BH FDR) and "
        "the four logistic models of Ibrahim et al. with average marginal effects (item-clustered SEs).",
    )
    src = s.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "--results", type=_args.path_text, help="results folder (with results.jsonl) or a results .jsonl file"
    )
    src.add_argument(
        "--paper-layout",
        metavar="DIR",
        type=_args.path_text,
        help="results laid out as the paper's sample_data: "
        "MODEL/original|warm/FAMILY_original|warm_outputs.csv",
    )
    s.add_argument(
        "--refusal-rule",
        choices=["ours", "paper"],
        default="ours",
        help="ours: warmlab's refusal detector; paper: the paper's phrase list (for exact comparison)",
    )
    s.add_argument("--mode", choices=["generate", "choice"], default=None, help="analyse one mode only")
    s.add_argument("--headline", default=None, metavar="VARIANT", help="headline variant (default: warm)")
    s.add_argument(
        "--length-covariate", action="store_true", help="add response length (k chars) to every model"
    )
    _args.add_bootstrap(s, "item-clustered bootstrap draws (0: off)")
    _args.add_seed(s, help="bootstrap seed")
    s.add_argument(
        "--out", default=None, metavar="FILE.json", type=_args.path_text, help="write the full result as JSON"
    )
    s.set_defaults(func=cmd_stats)
