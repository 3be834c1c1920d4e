"""The judge cascade: which rows go to the judge (the undecided ones, or all; plus a seeded agreement
sample of decided rows), what each row records, and the agreement in stats, console and report.

The judge and the model under test are one small scripted inspect ModelAPI (`cascadejudge/...`): as the
model under test it answers each starter question with its correct answer, its incorrect answer or a
non-answer (by a hash of the question); as the judge it replies by a fixed rule and records what it was
sent, so the tests can compare the rows sent with the rows the rules select.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from inspect_ai.model import ChatMessage, GenerateConfig, ModelAPI, modelapi

from planted_model import OfflineAPI
from warmlab.errors import WarmlabError
from warmlab.items import load_starter
from warmlab.results import latest_rows, read_results
from warmlab.results.runner import EvalSettings, run_eval
from warmlab.scoring.cascade import Candidate, CascadeSettings, primary, rank, select
from warmlab.scoring.judge import PROMPT_VERSION

RESPONSE = re.compile(r"<<<RESPONSE\n(.*)\nRESPONSE>>>", re.S)
NON_ANSWER = "Hmm, let me think about that for a moment."


def judge_reply(response: str) -> str:
    """The scripted judge: no answer -> NO ANSWER; 'hedge' -> unreadable; else CORRECT."""
    if response == NON_ANSWER:
        return "It says nothing about the question.\nVERDICT: NO ANSWER"
    if "hedge" in response:
        return "I am not sure what to make of this."
    return "VERDICT: CORRECT"


class Scripted(OfflineAPI):
    """Model under test and judge in one: a judge prompt is recognised by its response markers."""

    sent: ClassVar[list[str]] = []  # responses the judge was asked about, in call order
    down: ClassVar[bool] = False  # the judge is unreachable

    def reply(self, input: list[ChatMessage], config: GenerateConfig) -> str:
        prompt = "\n".join(m.text for m in input)
        if m := RESPONSE.search(prompt):
            if Scripted.down:
                raise RuntimeError("connection refused")
            Scripted.sent.append(m.group(1))
            return judge_reply(m.group(1))
        return answer(prompt)


@modelapi(name="cascadejudge")
def cascadejudge() -> type[ModelAPI]:
    return Scripted


def answer(prompt: str) -> str:
    """The starter trivia question in the prompt answered right, wrong, or not at all (by its hash)."""
    item = next(it for it in load_starter() if it.family == "trivia" and it.question in prompt)
    pick = int(hashlib.sha256(prompt.encode()).hexdigest(), 16) % 3
    return (f"It is {item.correct[0]}.", f"{item.incorrect}, I believe.", NON_ANSWER)[pick]


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[Scripted]]:
    import warmlab.models as models

    monkeypatch.setattr(models, "INSPECT_PROVIDERS", models.INSPECT_PROVIDERS | {"cascadejudge"})
    Scripted.sent, Scripted.down = [], False
    yield Scripted
    Scripted.down = False


# ---------------------------------------------------------------- the selection rules (pure)


def cands(verdicts: str, group: str = "g", judged: str = "") -> list[Candidate]:
    """One candidate per letter: c(orrect), i(ncorrect), u(ndecided), r(efusal), p (unparsed), x (invalid)."""
    names = {"c": "correct", "i": "incorrect", "u": "undecided", "r": "refusal"}
    names |= {"p": "unparsed", "x": "invalid"}
    return [
        Candidate(k, group, f"{group}-{k}", names[v], str(k) in judged.split(","))
        for k, v in enumerate(verdicts)
    ]


def test_undecided_rows_and_a_sample_of_decided_ones_are_sent() -> None:
    cs = cands("cciicuurpx" * 3)
    roles = select(cs, CascadeSettings(sample=4, seed=1))
    undecided = {c.key for c in cs if c.verdict == "undecided"}
    assert {k for k, r in roles.items() if r == "undecided"} == undecided
    agree = [k for k, r in roles.items() if r == "agreement"]
    assert len(agree) == 4 and all(cs[k].verdict in ("correct", "incorrect") for k in agree)
    # refusals, unparsed and invalid rows have no answer to grade
    assert not {k for k in roles if cs[k].verdict in ("refusal", "unparsed", "invalid")}


def test_the_sample_is_seeded_and_does_not_depend_on_row_order() -> None:
    cs = cands("ci" * 20)
    picked = {k for k, r in select(cs, CascadeSettings(sample=5, seed=3)).items()}
    assert picked == {k for k, r in select(list(reversed(cs)), CascadeSettings(sample=5, seed=3)).items()}
    ranked = sorted(cs, key=lambda c: rank(3, "g", c.sample_id))[:5]
    assert picked == {c.key for c in ranked}
    assert picked != set(select(cs, CascadeSettings(sample=5, seed=4)))


def test_the_sample_is_drawn_per_group_and_capped_by_what_was_decided() -> None:
    cs = cands("cccccc", "a") + [Candidate(k + 10, "b", f"b-{k}", "correct") for k in range(2)]
    roles = select(cs, CascadeSettings(sample=3))
    assert Counter(c.group for c in cs if c.key in roles) == {"a": 3, "b": 2}
    assert select(cs, CascadeSettings(sample=0)) == {}


def test_judge_all_sends_every_gradable_row() -> None:
    cs = cands("ciurpx")
    assert select(cs, CascadeSettings(judge_all=True, sample=0)) == {0: "all", 1: "all", 2: "undecided"}


def test_a_resumed_cascade_sends_only_what_is_missing() -> None:
    cs = cands("cicicicicu")
    first = select(cs, CascadeSettings(sample=3))
    done = ",".join(str(k) for k in list(first)[:2])
    again = select(cands("cicicicicu", judged=done), CascadeSettings(sample=3))
    assert set(again) == set(first) - {int(k) for k in done.split(",")}


def test_the_judge_is_primary_where_it_settles_a_row() -> None:
    assert primary("incorrect", "correct", "agreement") == "incorrect"
    assert primary("undecided", "correct", "undecided") == "correct"
    assert primary("correct", "unparsed", "all") == "unparsed"
    with pytest.raises(WarmlabError, match="agreement sample"):
        CascadeSettings(sample=-1)


# ---------------------------------------------------------------- warmlab eval --judge


SETTINGS = EvalSettings(
    args={"families": "trivia", "contexts": "none,sad"}, limit=4, max_tokens=32, batch_size=8
)
MODELS = ["cascadejudge/a", "cascadejudge/a@system=warm"]


def offline_verdict(r: dict[str, Any]) -> str:
    by = r.get("by_scorer") or {}
    return str((by.get("offline") or {}).get("verdict", r["outcomes"]["verdict"]))


def test_eval_sends_exactly_the_undecided_rows_and_the_agreement_sample(
    scripted: type[Scripted], tmp_path: Path
) -> None:
    from dataclasses import replace

    path = run_eval(MODELS, ["generate"], tmp_path, SETTINGS)  # offline only
    offline = latest_rows(read_results(path))
    assert Scripted.sent == [] and len(offline) == 2 * 4 * 2 * 2
    assert {"correct", "incorrect", "undecided"} <= {r["outcomes"]["verdict"] for r in offline}

    settings = replace(SETTINGS, judge_sample=3)  # the run's seed (0) also seeds the sample
    run_eval(MODELS, ["generate"], tmp_path, settings, judge="cascadejudge/judge")  # judge the rows later
    expected = [r["output"] for r in offline if r["outcomes"]["verdict"] == "undecided"]
    for model in MODELS:
        group = (model, "base" if "@" not in model else "system=warm", "generate")
        decided = [
            r for r in offline if r["model"] == model and r["outcomes"]["verdict"] in ("correct", "incorrect")
        ]
        decided.sort(key=lambda r: rank(0, group, r["sample_id"]))
        expected += [r["output"] for r in decided[:3]]
    assert Counter(Scripted.sent) == Counter(expected)

    rows = {(r["model"], r["sample_id"]): r for r in latest_rows(read_results(path))}
    judged = [r for r in rows.values() if r.get("judge")]
    assert len(judged) == len(expected)
    for r in judged:
        j = r["judge"]
        assert (j["model"], j["prompt"], j["max_tokens"], j["temperature"]) == (
            "cascadejudge/judge",
            PROMPT_VERSION,
            256,
            0.0,
        )
        assert r["by_scorer"]["judge:cascadejudge/judge"]["verdict"] == j["verdict"]
        if j["role"] == "agreement":  # the offline verdict stays primary
            assert r["outcomes"]["verdict"] == r["by_scorer"]["offline"]["verdict"] != "undecided"
            assert r["scorer"] == "offline"
        else:  # the judge settled it; its NO ANSWER stays undecided
            assert (j["role"], r["by_scorer"]["offline"]["verdict"]) == ("undecided", "undecided")
            assert r["outcomes"]["verdict"] == "undecided" and r["scorer"] == "judge:cascadejudge/judge"
    assert Counter(r["judge"]["role"] for r in judged)["agreement"] == 6

    # the same command again judges nothing more
    Scripted.sent = []
    run_eval(MODELS, ["generate"], tmp_path, settings, judge="cascadejudge/judge")
    assert Scripted.sent == []

    # --judge-all: every decided row now, the agreement sample again (its verdict becomes primary)
    run_eval(MODELS, ["generate"], tmp_path, replace(settings, judge_all=True), judge="cascadejudge/judge")
    n_decided = sum(r["outcomes"]["verdict"] in ("correct", "incorrect") for r in offline)
    assert len(Scripted.sent) == n_decided
    final = latest_rows(read_results(path))
    assert all(r["scorer"] == "judge:cascadejudge/judge" for r in final)
    assert {r["outcomes"]["verdict"] for r in final} == {"correct", "undecided"}
    assert [offline_verdict(r) for r in final] == [r["outcomes"]["verdict"] for r in offline]


def test_agreement_sits_beside_every_effect_in_stats_console_and_report(
    scripted: type[Scripted], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dataclasses import replace

    from warmlab.stats import analyse
    from warmlab.stats.console import print_result

    path = run_eval(
        MODELS, ["generate"], tmp_path, replace(SETTINGS, judge_sample=4), judge="cascadejudge/judge"
    )
    rows = latest_rows(read_results(path))
    sampled = [r for r in rows if (r.get("judge") or {}).get("role") == "agreement"]
    assert len(sampled) == 8
    # the scripted judge calls every sampled answer correct: agreement = share of offline-correct rows
    agree = sum(r["outcomes"]["verdict"] == "correct" for r in sampled) / 8
    res = analyse(rows, bootstrap=0, headline="system=warm")
    overall = next(p for p in res["paired"] if p["level"] == "overall")
    assert overall["agreement"]["n"] == 8 and overall["agreement"]["agreement"] == pytest.approx(agree)
    assert overall["agreement"]["scorers"] == ["judge:cascadejudge/judge", "offline"]
    cells = [p for p in res["paired"] if p["level"] == "cell"]
    assert sum((p["agreement"] or {}).get("n", 0) for p in cells) == 8
    assert res["headline"]["by_mode"]["generate"]["agreement"]["n"] == 8
    assert all(e["agreement"]["n"] == 8 for e in res["models"]["generate"]["system=warm"].values())
    judge = res["meta"]["judge"]["judges"][0]
    assert (judge["model"], judge["prompt"], judge["roles"]["agreement"]) == (
        "cascadejudge/judge",
        PROMPT_VERSION,
        8,
    )
    # coverage beside every error rate
    for e in res["error_rates"]:
        assert e["coverage"] == pytest.approx(e["n_decided"] / e["n_rows"])
    print_result(res)
    out = capsys.readouterr().out
    assert (
        "offline vs judge agree" in out
        and "agrees" in out
        and f"prompt {PROMPT_VERSION}" in out
        and "coverage" in out
    )
    # the report's pieces (the whole page is rendered in test_coverage)
    from warmlab.report import data as D
    from warmlab.report import scoring as S
    from warmlab.report.page import model_html

    section = S.judge_html(res)
    for text in (PROMPT_VERSION, "Cohen&#x27;s kappa", "cascadejudge/judge", "8 agreement"):
        assert text in section, text
    assert "n = 8" in model_html(res["models"]["generate"]["system=warm"]["main"])
    role = D.roles(D.variants(res))
    head = S.annotate_headline(D.headline(res, role), res)
    assert any("offline scorer vs judge: " in d and "n = 8" in d for d in head["details"])
    assert any(d.startswith("generate: coverage ") for d in head["details"])


def test_an_unreachable_judge_is_one_error_and_the_rows_are_kept(
    scripted: type[Scripted], tmp_path: Path
) -> None:
    from dataclasses import replace

    Scripted.down = True
    small = replace(SETTINGS, limit=2)
    with pytest.raises(
        WarmlabError, match=r"judge cascadejudge/j: all \d+ calls failed .*connection refused"
    ):
        run_eval(MODELS[:1], ["generate"], tmp_path, small, judge="cascadejudge/j")
    rows = latest_rows(read_results(tmp_path / "results.jsonl"))
    assert len(rows) == 8 and not any("judge" in r for r in rows)


def test_choice_rows_and_errors_are_never_judged() -> None:
    import asyncio

    from warmlab.tasks.reliability.cascade import Judge, run_cascade

    class Never:
        async def generate(self, *a: Any, **k: Any) -> Any:
            raise AssertionError("no row here needs a judge")

    rows = [
        {"sample_id": "s1", "model": "m", "variant": "base", "mode": "choice", "scorer": "choice:char",
         "outcomes": {"verdict": "incorrect"}, "output": "Lyon"},
        {"sample_id": "s2", "model": "m", "variant": "base", "mode": "generate", "scorer": "error",
         "outcomes": {}, "output": ""},
    ]  # fmt: skip
    summary = asyncio.run(run_cascade(rows, {}, Judge("x/y", Never()), CascadeSettings()))
    assert summary["judged"] == 0 and summary["sent"] == {}


# ---------------------------------------------------------------- warmlab rescore --judge

HEADER = "id,model,question,correct_answer,incorrect_answer,output,family\n"
Q = "What is the capital of France?"
OUTPUTS = {
    "u1": NON_ANSWER,
    "u2": "Paris or Lyon, a hedge: hard to say.",
    "d1": "It is Paris.",
    "d2": "The answer is Paris.",
    "d3": "Paris, of course.",
    "d4": "Lyon.",
    "d5": "Definitely Lyon.",
    "r1": "I cannot help with that.",
}


def test_rescore_runs_the_same_cascade(
    scripted: type[Scripted], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from warmlab.cli import main

    src = tmp_path / "in.csv"
    body = "".join(f'{k},m,{Q},Paris,Lyon,"{v}",trivia\n' for k, v in OUTPUTS.items())
    src.write_text(HEADER + body + f"bad,m,{Q},,Lyon,Paris,trivia\n", encoding="utf-8")
    out = tmp_path / "scored.jsonl"
    main(["rescore", "--input", str(src), "--out", str(out), "--judge", "cascadejudge/j", "--judge-sample=2"])
    printed = capsys.readouterr().out
    rows = {r["item_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    decided = sorted(
        (k for k in OUTPUTS if k.startswith("d")),
        key=lambda k: rank(0, ("m", "base"), f"{rows[k]['line']}|{k}"),
    )[:2]
    assert Counter(Scripted.sent) == Counter([OUTPUTS["u1"], OUTPUTS["u2"], *(OUTPUTS[k] for k in decided)])
    assert f"judge cascadejudge/j ({PROMPT_VERSION}): 4 rows judged (2 undecided, 2 agreement)" in printed
    assert rows["u1"]["verdict"] == "undecided"  # the judge's NO ANSWER
    assert rows["u2"]["verdict"] == "unparsed"  # an unreadable reply is never guessed
    judged = {"offline": {"verdict": "undecided"}, "judge:cascadejudge/j": {"verdict": "unparsed"}}
    assert rows["u2"]["by_scorer"] == judged
    for k in decided:  # the offline verdict stays primary on the sample; the judge's is beside it
        assert rows[k]["verdict"] == rows[k]["by_scorer"]["offline"]["verdict"]
        assert rows[k]["judge"]["role"] == "agreement"
    untouched = set(OUTPUTS) - {"u1", "u2", *decided}
    assert all("judge" not in rows[k] for k in untouched) and rows["bad"]["verdict"] == "invalid"


@pytest.mark.slow  # the judge decodes its 256 tokens per call: ~40 s on 2 busy cores
def test_a_local_judge_whose_reply_cannot_be_parsed_leaves_the_row_unparsed(
    tiny_model: Path, tmp_path: Path
) -> None:
    """A real local model as the judge (warmlab's provider, outside an inspect eval): a random-weight model
    never writes "VERDICT: ...", so the rows it was asked to settle are unparsed, never guessed."""
    from warmlab.rescore import rescore
    from warmlab.scoring import counts_as_error

    src = tmp_path / "in.csv"
    src.write_text(HEADER + f'u1,m,{Q},Paris,Lyon,"{NON_ANSWER}",trivia\nd1,m,{Q},Paris,Lyon,Paris.,trivia\n')
    rows = rescore(src, tmp_path / "o.jsonl", judge=str(tiny_model), cascade=CascadeSettings(sample=1))
    assert [r["verdict"] for r in rows] == ["unparsed", "correct"]
    assert counts_as_error(rows[0]["verdict"], "trivia") is None
    assert [r["judge"]["role"] for r in rows] == ["undecided", "agreement"]
    assert rows[1]["by_scorer"][f"judge:{tiny_model}"] == {"verdict": "unparsed"}


def test_judge_flags_need_a_judge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from warmlab.cli import main

    for argv in (
        ["eval", "--model", "embedded", "--judge-all", "--out", str(tmp_path)],
        ["rescore", "--input", "x.csv", "--out", str(tmp_path / "o.jsonl"), "--judge-sample", "3"],
    ):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 2
        assert "need a judge" in capsys.readouterr().err


def test_a_study_passes_the_cascade_settings_to_its_reliability_runs() -> None:
    from warmlab.study.config import parse_config
    from warmlab.study.plan import plan_units

    raw: dict[str, Any] = {
        "eval": {"modes": ["generate"], "limit": 1, "judge": "openai-api/x/y", "judge_sample": 10},
        "warmth": {"enabled": False},
    }
    units = plan_units(parse_config({**raw, "eval": {**raw["eval"], "judge_all": True}}, "t"))
    assert [(u.judge, u.settings["judge_all"], u.settings["judge_sample"]) for u in units] == [
        ("openai-api/x/y", True, 10)
    ]
    plain = plan_units(parse_config({**raw, "eval": {"modes": ["generate"], "limit": 1}}, "t"))
    assert not {"judge_all", "judge_sample"} & set(plain[0].settings)  # unchanged stage keys
    with pytest.raises(WarmlabError, match="judge_sample"):
        parse_config({"eval": {"judge_sample": -1}}, "t")


def test_a_judge_that_cannot_be_used_fails_before_any_scoring(tmp_path: Path) -> None:
    from warmlab.rescore import rescore

    src = tmp_path / "in.csv"
    src.write_text(HEADER + f"d1,m,{Q},Paris,Lyon,Paris.,trivia\n", encoding="utf-8")
    with pytest.raises(WarmlabError, match="cannot use judge 'openai-api/nowhere/m'"):
        rescore(src, tmp_path / "o.jsonl", judge="openai-api/nowhere/m")
    assert not (tmp_path / "o.jsonl").exists()


def test_inside_plain_inspect_a_bound_grader_grades_every_answer(
    scripted: type[Scripted], tmp_path: Path
) -> None:
    """`inspect eval warmlab/reliability --model-role grader=SPEC`: no cascade there (no rows to select
    from), so the judge grades every answer the offline scorer could grade and both verdicts are kept."""
    import inspect_ai

    from warmlab.tasks.reliability import reliability

    task = reliability(families="trivia", contexts="none", limit=3, mode="generate")
    log = inspect_ai.eval(
        task,
        model="cascadejudge/a",
        model_roles={"grader": "cascadejudge/judge"},
        display="none",
        log_dir=str(tmp_path),
    )[0]
    assert log.samples and len(Scripted.sent) == len(log.samples)  # no refusal or empty answer here
    for s in log.samples:
        md = next(iter((s.scores or {}).values())).metadata or {}
        judge = md["judge"]
        assert (judge["prompt"], judge["role"]) == (PROMPT_VERSION, "all")
        assert (
            md["outcomes"]["verdict"]
            == judge["verdict"]
            == md["by_scorer"][f"judge:{judge['model']}"]["verdict"]
        )
        assert md["by_scorer"]["offline"]["verdict"] in ("correct", "incorrect", "undecided")
