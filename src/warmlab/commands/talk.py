"""`warmlab talk`: the classifiers behind the grounding, therapist, rebound and moral batteries.

warmlab talk fit --data ../shared/data            # refit the probes, print held-out scores
warmlab talk baselines --data ../shared/data      # human baselines (AnnoMI, OpenAssistant)
warmlab talk score rebound --texts replies.jsonl  # outcomes for given replies
warmlab talk lexicon [--compare eMFD.csv]         # validate the moral lexicon; compare with another
"""

from __future__ import annotations

import argparse
from typing import Any

BATTERIES = ("grounding", "therapist", "rebound", "moral")
EPILOG = """examples:
  warmlab talk fit --data ../shared/data --only grounding feelings
  warmlab talk baselines --data ../shared/data --limit 300 --out baselines.json
  warmlab talk score therapist --texts replies.jsonl     # one {"text": ..., "prompt": ...} per line
  warmlab talk lexicon --compare ~/emfd_scoring.csv --data ../shared/data

--data defaults to $WARMLAB_SHARED_DATA. Upstream data is read from there, never copied."""


def register(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser(
        "talk",
        help="classifiers for grounding acts, therapist behaviours, tone and moral language",
        description="Fit and check the offline classifiers of the grounding, therapist, rebound and moral "
        "batteries, compute human baselines, or score given replies.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s = t.add_subparsers(dest="talk_cmd", required=True)
    f = s.add_parser("fit", help="refit the probes from the team data and the upstream data (minutes)")
    f.add_argument("--data", default=None, help="folder holding bolt/, annomi/, goemotions/")
    f.add_argument(
        "--only", nargs="+", default=None, choices=("grounding", "feelings", "therapist", "valence")
    )
    f.add_argument("--out", default=None, help="folder for the weights (default: the package's)")
    f.set_defaults(func=cmd_fit)
    b = s.add_parser("baselines", help="human baselines from AnnoMI and OpenAssistant")
    b.add_argument("--data", default=None, help="folder holding annomi/ and oasst_sample/")
    b.add_argument("--limit", type=int, default=None, help="sample N counsellor turns per quality (quick)")
    b.add_argument("--lexicon", default=None, help="moral lexicon: team (default) or a .dic/.csv path")
    b.add_argument("--out", default=None, help="write the baselines as JSON")
    b.set_defaults(func=cmd_baselines)
    c = s.add_parser("score", help="outcomes of given replies for one battery")
    c.add_argument("battery", choices=BATTERIES)
    c.add_argument(
        "--texts",
        required=True,
        help="JSONL: text (the reply), prompt (what it answers), "
        "optional expressed (feelings the prompt expresses)",
    )
    c.add_argument("--lexicon", default=None, help="moral: a .dic/.csv lexicon instead of the team's")
    c.add_argument("--out", default=None, help="write scored rows as JSONL (default: print them)")
    c.set_defaults(func=cmd_score)
    x = s.add_parser("lexicon", help="validate the team's moral lexicon; compare it with an outside one")
    x.add_argument("--compare", default=None, help="outside lexicon (.dic or eMFD-style .csv)")
    x.add_argument(
        "--data", default=None, help="with --compare: folder holding oasst_sample/ (texts to compare on)"
    )
    x.set_defaults(func=cmd_lexicon)


def _data(value: str | None) -> Any:
    import os
    from pathlib import Path

    from warmlab.errors import WarmlabError

    d = value or os.environ.get("WARMLAB_SHARED_DATA")
    if not d:
        raise WarmlabError("--data is required (or set WARMLAB_SHARED_DATA)")
    p = Path(d).expanduser()
    if not p.is_dir():
        raise WarmlabError(f"--data {p} is not a folder")
    return p


def cmd_fit(a: argparse.Namespace) -> None:
    from pathlib import Path

    from warmlab.classifiers.fit import WEIGHTS, fit_all

    written = fit_all(_data(a.data), tuple(a.only or WEIGHTS), Path(a.out) if a.out else None)
    for name, path in written.items():
        print(f"{name}: {path}")
        for line in summary(path):
            print(f"  {line}")


def summary(path: Any) -> list[str]:
    """One line per probe: its held-out scores (and the extra figures fit recorded)."""
    import json

    data = json.loads(path.read_text(encoding="utf-8"))
    lines = []
    for p in data["probes"]:
        h = p["heldout"]
        lines.append(
            f"{p['name']}: held-out n={h['n']} accuracy={h['accuracy']:.3f} macro-F1={h['macro_f1']:.3f}"
        )
    held = data.get("heldout")
    if held:
        team = f"{held['macro_f1_team_replies']:.3f} on {held['n_team_replies']} team replies"
        bolt = f"{held['macro_f1_bolt_transcribed']:.3f} on {held['n_bolt_transcribed']} BOLT utterances"
        lines.append(f"reply level: macro-F1 {team}, {bolt}")
    return lines


def cmd_baselines(a: argparse.Namespace) -> None:
    import json
    from pathlib import Path

    from warmlab.errors import WarmlabError
    from warmlab.tasks.grounding.baselines import annomi_grounding, oasst_grounding
    from warmlab.tasks.moral.baselines import oasst_moral
    from warmlab.tasks.therapist.baselines import annomi_behaviour_profile, annomi_label_profile

    if a.limit is not None and a.limit < 1:
        raise WarmlabError("--limit must be at least 1")
    d = _data(a.data)
    out = {
        "therapist_annomi_labels": annomi_label_profile(d / "annomi"),
        "therapist_annomi_classified": annomi_behaviour_profile(d / "annomi", a.limit),
        "grounding_annomi": annomi_grounding(d / "annomi", a.limit),
        "grounding_oasst": oasst_grounding(d / "oasst_sample", a.limit),
        "moral_oasst": oasst_moral(d / "oasst_sample", a.lexicon),
    }
    text = json.dumps(out, indent=1)
    if a.out:
        Path(a.out).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {a.out}")
    else:
        print(text)


def cmd_score(a: argparse.Namespace) -> None:
    import json
    from pathlib import Path

    from warmlab.teamdata import read_jsonl

    rows = [r for _, _, r in read_jsonl(Path(a.texts), {"text": str})]
    replies = [r["text"] for r in rows]
    prompts = [str(r.get("prompt") or "") for r in rows]
    scored = score(a.battery, replies, prompts, [r.get("expressed") for r in rows], a.lexicon)
    lines = [
        json.dumps({**({"id": r["id"]} if "id" in r else {}), "outcomes": o})
        for r, o in zip(rows, scored, strict=True)
    ]
    if a.out:
        Path(a.out).write_text("".join(x + "\n" for x in lines), encoding="utf-8")
        print(f"scored {len(lines)} replies -> {a.out}")
    else:
        print("\n".join(lines))


def score(
    battery: str, replies: list[str], prompts: list[str], expressed: list[Any], lexicon: str | None
) -> list[dict[str, Any]]:
    """Each reply's outcomes for one battery."""
    if battery == "grounding":
        from warmlab.tasks.grounding.outcomes import grounding_outcomes_batch

        return list(grounding_outcomes_batch(replies))
    if battery == "therapist":
        from warmlab.tasks.therapist.outcomes import therapist_outcomes_batch

        return list(therapist_outcomes_batch(replies))
    if battery == "rebound":
        from warmlab.tasks.rebound.outcomes import rebound_outcomes_batch

        return [o for o, _ in rebound_outcomes_batch(replies, prompts, expressed)]
    from warmlab.classifiers.moral import load_lexicon
    from warmlab.tasks.moral.outcomes import moral_outcomes

    lex = load_lexicon(lexicon)
    return [moral_outcomes(r, lex) for r in replies]


def cmd_lexicon(a: argparse.Namespace) -> None:
    from warmlab.classifiers.moral import FOUNDATIONS, compare, load_lexicon, team_lexicon, validate
    from warmlab.classifiers.moral_check import labelled_sentences

    for split in ("dev", "test"):
        v = validate(team_lexicon(), labelled_sentences(split))
        parts = ", ".join(f"{f} P={v[f]['precision']:.2f} R={v[f]['recall']:.2f}" for f in FOUNDATIONS)
        print(f"team lexicon on the {split} sentences (n={v['n']}): macro-F1 {v['macro_f1']:.3f}; {parts}")
    if a.compare:
        from warmlab.classifiers.corpora import read_oasst

        other = load_lexicon(a.compare)
        texts = [r.reply for r in read_oasst(_data(a.data) / "oasst_sample") if not r.synthetic]
        v = validate(other, labelled_sentences("test"))
        print(f"{other.name} on the test sentences: macro-F1 {v['macro_f1']:.3f}")
        rho = compare(team_lexicon(), other, texts)
        print(
            "Spearman rho, team vs "
            + other.name
            + f" over {len(texts)} OpenAssistant replies: "
            + ", ".join(f"{f} {('n/a' if r is None else f'{r:.2f}')}" for f, r in rho.items())
        )
