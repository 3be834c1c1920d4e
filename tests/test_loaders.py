"""Loaders: counts and invariants on the upstream copies in shared/data, errors on small synthetic files.

Upstream data is only read through the `shared_data` fixture; expected values are recomputed from the
files here rather than pasted in.
"""

from __future__ import annotations

import ast
import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from warmlab.errors import WarmlabError
from warmlab.items import (
    FAMILIES,
    SOURCE_KINDS,
    Item,
    attach_llm_distractors,
    load_fever,
    load_jsonl,
    load_medqa,
    load_scifact,
    load_source,
    load_starter,
    load_triviaqa,
    load_truthfulqa,
)
from warmlab.items.loaders import DISINFO_CORRECT, _claim_body, _norm
from warmlab.items.trivia import _answer_type

TRIVIA = "triviaqa/topics.dpr.trivia.test.txt"
MEDQA = "medqa_usmle_4opt/phrases_no_exclude_test.jsonl"
FEVER = "fever/paper_dev.jsonl"


def _one_line_error(fn: Callable[[], object], *needles: str) -> str:
    with pytest.raises(WarmlabError) as info:
        fn()
    msg = str(info.value)
    assert "\n" not in msg
    for needle in needles:
        assert needle in msg, msg
    return msg


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _item(i: int) -> Item:
    return Item(
        id=f"t-{i}", family="trivia", question=f"Question {i}?", correct=(f"right {i}",), incorrect="wrong"
    )


def _ids_unique(items: list[Item]) -> bool:
    return len({it.id for it in items}) == len(items)


# ---------------------------------------------------------------- our own JSONL


def test_load_jsonl_roundtrip_and_blank_lines(tmp_path: Path) -> None:
    items = [_item(1), _item(2)]
    text = "\n".join(json.dumps(it.to_json()) for it in items)
    path = _write(tmp_path / "bank.jsonl", f"\n{text}\n\n")
    assert load_jsonl(path) == items


def test_load_jsonl_errors_name_file_and_line(tmp_path: Path) -> None:
    good = json.dumps(_item(1).to_json())
    bad_json = _write(tmp_path / "a.jsonl", f"{good}\n{{not json\n")
    _one_line_error(lambda: load_jsonl(bad_json), f"{bad_json}:2: invalid JSON")

    bad_item = _write(tmp_path / "b.jsonl", f"{good}\n\n" + json.dumps({**_item(2).to_json(), "correct": []}))
    _one_line_error(lambda: load_jsonl(bad_item), f"{bad_item}:3:", "correct answer")

    missing_field = _write(tmp_path / "c.jsonl", json.dumps({"id": "x", "family": "trivia"}))
    _one_line_error(lambda: load_jsonl(missing_field), f"{missing_field}:1:")

    not_object = _write(tmp_path / "d.jsonl", "[1, 2]\n")
    _one_line_error(lambda: load_jsonl(not_object), f"{not_object}:1:", "JSON object")

    _one_line_error(lambda: load_jsonl(tmp_path / "nope.jsonl"), "nope.jsonl", "does not exist")


# ---------------------------------------------------------------- starter bank


def test_load_starter_families() -> None:
    items = load_starter()
    assert _ids_unique(items)
    for fam in FAMILIES:
        got = [it for it in items if it.family == fam]
        assert len(got) >= 120, fam
        assert load_starter([fam]) == got
    for it in items:
        it.validate()
    assert load_source("starter") == items
    assert load_source("starter:medical") == load_starter(["medical"])


def test_load_starter_unknown_family() -> None:
    msg = _one_line_error(lambda: load_starter(["trivia", "astrology"]), "astrology")
    assert all(fam in msg for fam in FAMILIES)


# ---------------------------------------------------------------- TruthfulQA


@pytest.mark.parametrize(
    ("rel", "count"), [("truthfulqa/TruthfulQA.csv", 790), ("truthfulqa/v1/TruthfulQA.csv", 817)]
)
def test_truthfulqa(shared_data: Path, rel: str, count: int) -> None:
    items = load_truthfulqa(shared_data / rel)
    assert len(items) == count
    assert [it.id for it in items] == [f"tqa-{i}" for i in range(count)]
    with open(shared_data / rel, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    for it, row in zip(items, rows, strict=True):
        it.validate()
        assert (it.family, it.source) == ("truthful", "truthfulqa")
        assert it.meta["type"] == row["Type"] and it.meta["category"] == row["Category"]  # BOM not in the key
        assert it.correct[0] == row["Best Answer"].strip()
        assert len(set(it.correct)) == len(it.correct)
        assert all(a == a.strip() and a for a in it.correct)
        expected_wrong = row.get("Best Incorrect Answer") or row["Incorrect Answers"].split(";")[0]
        assert it.incorrect == expected_wrong.strip()
        assert it.incorrect not in it.correct


def test_truthfulqa_missing_column(tmp_path: Path) -> None:
    path = _write(tmp_path / "tqa.csv", "Type,Category,Question,Best Answer\nA,B,Why?,Because\n")
    _one_line_error(lambda: load_truthfulqa(path), str(path), "Correct Answers", "Incorrect Answers")


# ---------------------------------------------------------------- TriviaQA


@pytest.fixture(scope="module")
def trivia(shared_data: Path) -> list[Item]:
    return load_triviaqa(shared_data / TRIVIA)


def test_triviaqa_full_parse(trivia: list[Item]) -> None:
    assert len(trivia) == 11_313
    assert [it.id for it in trivia[:3]] == ["triviaqa-0", "triviaqa-1", "triviaqa-2"]
    assert _ids_unique(trivia)
    # the CSV-style doubled quotes some questions carry are undone
    assert not any('""' in it.question for it in trivia)
    assert {it.meta["answer_type"] for it in trivia} == {"year", "number", "name", "other"}
    for it in trivia:
        it.validate()
        assert it.meta["distractor"] == "same-type"
        assert _norm(it.incorrect) not in {_norm(a) for a in it.correct}


def test_triviaqa_aliases_kept(shared_data: Path, trivia: list[Item]) -> None:
    # every alias survives (trimmed, deduplicated); only the canonical one moves to the front
    with open(shared_data / TRIVIA, encoding="utf-8", newline="") as f:
        lists = [ast.literal_eval(row[1]) for row in csv.reader(f, delimiter="\t")]
    for it, aliases in zip(trivia, lists, strict=True):
        assert set(it.correct) == {a.strip() for a in aliases if a.strip()}


def test_triviaqa_distractors_reproducible(shared_data: Path, trivia: list[Item]) -> None:
    first = load_triviaqa(shared_data / TRIVIA, limit=300)
    assert len(first) == 300
    assert first == trivia[:300]  # the distractor pool is the whole file, whatever the limit
    other_seed = load_triviaqa(shared_data / TRIVIA, seed=1, limit=300)
    assert [it.correct for it in other_seed] == [it.correct for it in first]
    changed = sum(a.incorrect != b.incorrect for a, b in zip(first, other_seed, strict=True))
    assert changed > 250


def test_triviaqa_same_type_excludes_aliases(tmp_path: Path) -> None:
    rows = [
        ("In which year did event one happen?", ["1066"]),
        ("In which year did event two happen?", ["1815"]),
        ("Which city is described first?", ["Paris", "City of Light"]),
        ("Which city is described second?", ["London"]),
        ("Which city is described third?", ["paris."]),
        ('"What is a ""quoted"" thing?"', ["a lower-case answer here"]),
    ]
    path = tmp_path / "t.tsv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        # csv.writer escapes the quotes a second time, as in DPR's file
        csv.writer(f, delimiter="\t", lineterminator="\n").writerows((q, repr(a)) for q, a in rows)
    for seed in range(20):
        items = load_triviaqa(path, seed=seed)
        assert [it.incorrect for it in items[:4]] == ["1815", "1066", "London", "Paris"]
        # "paris." is an "other" answer, and "Paris" could never be its distractor anyway
        assert items[4].incorrect == "a lower-case answer here"
        assert items[5].meta["answer_type"] == "other"
    assert items[5].question == 'What is a "quoted" thing?'
    assert load_triviaqa(path, limit=2) == items[:2]
    assert load_triviaqa(path, limit=0) == []
    assert items[2].correct == ("Paris", "City of Light")


def test_triviaqa_errors(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.tsv", "Q one?\t['A']\nQ two without answers\n")
    _one_line_error(lambda: load_triviaqa(path), f"{path}:2:")
    path = _write(tmp_path / "u.tsv", "Q one?\t['A']\nQ two?\tnot a list(\n")
    _one_line_error(lambda: load_triviaqa(path), f"{path}:2:")
    single = _write(tmp_path / "v.tsv", "Q one?\t['A']\n")
    _one_line_error(lambda: load_triviaqa(single), str(single), "distractor")
    _one_line_error(lambda: load_triviaqa(single, distractor="llm"), "same-type")


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ("1966", "year"),
        ("1960s", "year"),
        ("42", "number"),
        ("£5", "number"),
        ("Seven years", "number"),
        ("Marie Curie", "name"),
        ("Duke of York", "name"),
        ("Jan van der Berg Senior", "other"),
        ("a lower-case thing", "other"),
    ],
)
def test_answer_type(answer: str, kind: str) -> None:
    assert _answer_type(answer) == kind


# ---------------------------------------------------------------- LLM distractors


def test_attach_llm_distractors() -> None:
    items = [
        Item(
            id="a",
            family="trivia",
            question="Capital of Atlantis?",
            correct=("Poseidonia", "Posidonia"),
            incorrect="X",
        ),
        Item(id="b", family="trivia", question="Largest moon?", correct=("Ganymede",), incorrect="Titan"),
        Item(id="c", family="trivia", question="Smallest moon?", correct=("Deimos",), incorrect="Phobos"),
        Item(id="d", family="trivia", question="Hottest planet?", correct=("Venus",), incorrect="Mercury"),
    ]
    calls: list[list[str]] = []

    def generate(prompts: list[str]) -> list[str]:
        calls.append(prompts)
        return ['  "Atlantica."\nbecause reasons', "ganymede.", "", "Answer: Mars"]

    out = attach_llm_distractors(items, generate)
    assert len(calls) == 1 and len(calls[0]) == 4
    assert "Capital of Atlantis?" in calls[0][0] and "Poseidonia" in calls[0][0]
    assert "wrong answer only" in calls[0][0]
    assert [it.incorrect for it in out] == ["Atlantica", "Titan", "Phobos", "Mars"]
    assert [it.meta["distractor"] for it in out] == ["llm", "same-type", "same-type", "llm"]
    assert [it.correct for it in out] == [it.correct for it in items]
    assert items[0].incorrect == "X"  # new items; the inputs are untouched

    with pytest.raises(ValueError):
        attach_llm_distractors(items, lambda prompts: prompts[:1])
    assert attach_llm_distractors([], lambda prompts: []) == []


def test_attach_llm_distractors_rejects_multiple_choice() -> None:
    med = Item(
        id="m",
        family="medical",
        question="Which?",
        correct=("b",),
        incorrect="a",
        options={"A": "a", "B": "b"},
        answer_key="B",
    )
    _one_line_error(lambda: attach_llm_distractors([med], lambda p: ["x"] * len(p)), "'m'", "option")


# ---------------------------------------------------------------- MedQA


def test_medqa(shared_data: Path) -> None:
    items = load_medqa(shared_data / MEDQA)
    assert len(items) == 1_273
    assert _ids_unique(items) and items[0].id == "medqa-0"
    rows = [json.loads(line) for line in (shared_data / MEDQA).read_text(encoding="utf-8").splitlines()]
    for it, row in zip(items, rows, strict=True):
        it.validate()
        assert it.options is not None and it.answer_key == row["answer_idx"]
        assert it.correct == (row["answer"].strip(),) == (it.options[it.answer_key],)
        assert it.incorrect != it.correct[0] and it.incorrect in it.options.values()
        assert it.options[it.meta["incorrect_key"]] == it.incorrect
        assert it.meta["meta_info"] == row["meta_info"]
    assert load_medqa(shared_data / MEDQA) == items
    other = load_medqa(shared_data / MEDQA, seed=7)
    assert sum(a.incorrect != b.incorrect for a, b in zip(items, other, strict=True)) > 600


def test_medqa_bad_row(tmp_path: Path) -> None:
    row = {"question": "Q?", "answer": "a", "options": {"A": "a", "B": "b"}, "answer_idx": "C"}
    path = _write(tmp_path / "m.jsonl", json.dumps(row) + "\n")
    _one_line_error(lambda: load_medqa(path), f"{path}:1:", "answer_idx")
    path = _write(tmp_path / "n.jsonl", json.dumps({"question": "Q?"}) + "\n")
    _one_line_error(lambda: load_medqa(path), f"{path}:1:", "missing key")


# ---------------------------------------------------------------- FEVER and SciFact


def _check_claim_item(it: Item) -> None:
    it.validate()
    assert it.family == "disinfo" and it.correct == DISINFO_CORRECT and it.incorrect == "Yes"
    assert it.question.startswith("Is it true that ") and it.question.endswith("?")
    assert not it.question.endswith(".?")
    assert it.true_statement == f"It is not true that {it.question.removeprefix('Is it true that ')[:-1]}."


def test_fever(shared_data: Path) -> None:
    items = load_fever(shared_data / FEVER)
    assert len(items) == 3_333
    assert _ids_unique(items)
    rows = [json.loads(line) for line in (shared_data / FEVER).read_text(encoding="utf-8").splitlines()]
    refutes = [r for r in rows if r["label"] == "REFUTES"]
    assert [it.id for it in items] == [f"fever-{r['id']}" for r in refutes]
    assert [it.false_statement for it in items] == [r["claim"] for r in refutes]
    for it in items:
        _check_claim_item(it)
        assert it.source == "fever"


@pytest.mark.parametrize(
    ("claim", "body"),
    [
        ("The cat sat on the mat.", "the cat sat on the mat"),
        ("A dog barked.", "a dog barked"),
        ("Mitochondria make energy.", "mitochondria make energy"),
        ("Mitochondria Inc is a firm.", "Mitochondria Inc is a firm"),
        ("Zorblat is a town.", "Zorblat is a town"),
        ("NASA launched a rocket.", "NASA launched a rocket"),
        ("A&E is a channel.", "A&E is a channel"),
        ('Her nickname is "Dot."', 'her nickname is "Dot"'),
        ("I am here", "I am here"),
    ],
)
def test_claim_body(claim: str, body: str) -> None:
    vocab = ({"mitochondria", "cat"}, {"Zorblat"})
    assert _claim_body(claim, vocab) == body


def test_scifact(shared_data: Path) -> None:
    folder = shared_data / "scifact"
    items = load_scifact(folder)
    train = load_scifact(folder / "claims_train.jsonl")
    dev = load_scifact(folder / "claims_dev.jsonl")
    assert (len(items), len(train), len(dev)) == (237, 173, 64)
    assert items == train + dev and _ids_unique(items)
    for it in items:
        _check_claim_item(it)
        assert it.id.startswith("scifact-") and it.meta["split"] in {"train", "dev"}

    # "no SUPPORT" changes nothing here: no claim mixes CONTRADICT and SUPPORT evidence
    any_contradict = 0
    for name in ("claims_train.jsonl", "claims_dev.jsonl"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            labels = {e["label"] for sets in json.loads(line)["evidence"].values() for e in sets}
            any_contradict += "CONTRADICT" in labels
    assert any_contradict == len(items)


def test_scifact_folder_without_files(tmp_path: Path) -> None:
    _one_line_error(lambda: load_scifact(tmp_path), "claims_train.jsonl", "does not exist")


# ---------------------------------------------------------------- source specs


def test_load_source_kinds(shared_data: Path, tmp_path: Path) -> None:
    bank = _write(tmp_path / "bank.jsonl", "\n".join(json.dumps(_item(i).to_json()) for i in range(3)))
    assert load_source(f"jsonl:{bank}") == load_source(str(bank)) == load_jsonl(bank)
    spec = f"truthfulqa:{shared_data / 'truthfulqa/TruthfulQA.csv'}, fever:{shared_data / FEVER},{bank}"
    items = load_source(spec)
    assert len(items) == 790 + 3_333 + 3
    assert load_source(f"medqa:{shared_data / MEDQA}", seed=3) == load_medqa(shared_data / MEDQA, seed=3)
    assert len(load_source(f"scifact:{shared_data / 'scifact'}")) == 237
    assert set(SOURCE_KINDS) == {
        "starter",
        "jsonl",
        "truthfulqa",
        "triviaqa",
        "medqa",
        "fever",
        "scifact",
        "sycon",
    }


def test_load_source_errors(tmp_path: Path) -> None:
    msg = _one_line_error(lambda: load_source("wikipedia:/x"), "wikipedia")
    assert all(kind in msg for kind in SOURCE_KINDS)
    _one_line_error(lambda: load_source("fever"), "fever")
    _one_line_error(lambda: load_source("fever:"), "needs a path")
    _one_line_error(lambda: load_source(f"fever:{tmp_path / 'nope.jsonl'}"), "nope.jsonl", "does not exist")
    _one_line_error(lambda: load_source(str(tmp_path / "nope.jsonl")), "does not exist")
    _one_line_error(lambda: load_source(" , "), "empty")
    _one_line_error(lambda: load_source("starter:astrology"), "astrology")

    bank = _write(tmp_path / "bank.jsonl", json.dumps(_item(1).to_json()))
    _one_line_error(lambda: load_source(f"{bank},jsonl:{bank}"), "duplicate item id 't-1'")
    twice = _write(
        tmp_path / "twice.jsonl", json.dumps(_item(1).to_json()) + "\n" + json.dumps(_item(1).to_json())
    )
    _one_line_error(lambda: load_source(str(twice)), "duplicate item id 't-1'")
