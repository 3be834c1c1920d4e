"""Conversation loaders: the starter set, users' JSONL (every way it can be wrong), OpenAssistant trees."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from warmlab.errors import WarmlabError
from warmlab.train.conversations import (
    STARTER_CATEGORIES,
    Conversation,
    load_jsonl,
    load_oasst,
    load_source,
    load_starter,
    validate_messages,
    write_jsonl,
)

U = {"role": "user", "content": "How far is the Moon?"}
A = {"role": "assistant", "content": "About 384,400 km on average."}
GOOD: dict[str, Any] = {"id": "c1", "messages": [U, A]}


def write(path: Path, *records: Any) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


# --- starter set ---------------------------------------------------------------------------------------


def test_starter_set_loads_with_both_rewrites() -> None:
    convs = load_starter()
    assert len(convs) == 330
    assert {c.category for c in convs} == set(STARTER_CATEGORIES)
    assert {c.split for c in convs} == {"train", "heldout"}
    for c in convs:
        assert set(c.rewrites) == {"warm", "cold"}
        warm = c.styled("warm")
        assert [m["role"] for m in warm.messages] == [m["role"] for m in c.messages]
        assert warm.assistant_turns == list(c.rewrites["warm"])
        assert warm.messages[0] == c.messages[0]  # user turns untouched


def test_starter_categories_via_source() -> None:
    assert {c.category for c in load_source("starter:factual+advice")} == {"factual", "advice"}
    assert len(load_source("starter:factual+factual")) == len(load_source("starter:factual"))
    with pytest.raises(WarmlabError, match="unknown starter category 'poetry'"):
        load_source("starter:poetry")


# --- the user JSONL format -----------------------------------------------------------------------------


def test_user_jsonl_keeps_system_meta_and_defaults(tmp_path: Path) -> None:
    system = {"role": "system", "content": "Be brief."}
    f = write(
        tmp_path / "mine.jsonl",
        {"messages": [system, U, A, U, A], "source": "forum", "category": "space"},
        "",  # blank lines are allowed
        {"id": 7, "messages": [U, A], "split": "heldout", "warm": ["Happy to help! About 384,400 km."]},
    )
    a, b = load_jsonl(f)
    assert a.id == "mine-1" and b.id == "7"  # default id: file stem and line
    assert a.messages[0] == system and len(a.assistant_turns) == 2
    assert a.meta == {"source": "forum"} and a.category == "space" and a.split == "train"
    assert b.split == "heldout" and b.rewrites == {"warm": ("Happy to help! About 384,400 km.",)}
    assert b.styled("warm").assistant_turns == ["Happy to help! About 384,400 km."]
    with pytest.raises(WarmlabError, match="no cold rewrite"):
        b.styled("cold")


def test_bom_is_tolerated(tmp_path: Path) -> None:
    f = tmp_path / "bom.jsonl"
    f.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\n")
    assert load_jsonl(f)[0].id == "c1"


def test_write_then_load_round_trip(tmp_path: Path) -> None:
    convs = load_starter(["technical"])[:5]
    out = tmp_path / "sub" / "copy.jsonl"
    write_jsonl(convs, out)
    assert load_jsonl(out) == convs
    assert [p.name for p in out.parent.iterdir()] == ["copy.jsonl"]  # no temporary file left


BAD_RECORDS: list[tuple[str, Any, str]] = [
    ("no messages", {"id": "x"}, "`messages` must be a non-empty list"),
    ("empty messages", {"messages": []}, "`messages` must be a non-empty list"),
    ("messages not a list", {"messages": "hi"}, "`messages` must be a non-empty list"),
    ("message not a dict", {"messages": ["hi", A]}, "message 0 needs a `role` and a string `content`"),
    ("content not text", {"messages": [U, {"role": "assistant", "content": 3}]}, "message 1 needs"),
    ("no role", {"messages": [{"content": "hi"}, A]}, "message 0 has role None"),
    ("wrong role", {"messages": [U, {"role": "bot", "content": "x"}]}, "message 1 has role 'bot'"),
    ("system later", {"messages": [U, {"role": "system", "content": "x"}, A]}, "system message may only"),
    ("starts with assistant", {"messages": [A, U]}, "must alternate user/assistant starting with user"),
    ("two users in a row", {"messages": [U, U, A]}, "must alternate"),
    ("two assistants in a row", {"messages": [U, A, A]}, "must alternate"),
    ("no assistant turn", {"messages": [U]}, "no assistant turn"),
    ("system and user only", {"messages": [{"role": "system", "content": "x"}, U]}, "no assistant turn"),
    (
        "empty assistant turn",
        {"messages": [U, {"role": "assistant", "content": "  "}]},
        "message 1 (assistant)",
    ),
    ("empty user turn", {"messages": [{"role": "user", "content": ""}, A]}, "message 0 (user) is empty"),
    ("empty rewrite", {**GOOD, "warm": [" "]}, "empty rewrite"),
    ("rewrite count", {**GOOD, "cold": ["a", "b"]}, "`cold` must hold one text per assistant turn (1)"),
    ("rewrite not a list", {**GOOD, "warm": "hello"}, "`warm` must hold one text"),
    ("null id", {**GOOD, "id": None}, "`id` must be a non-empty string"),
    ("blank id", {**GOOD, "id": " "}, "`id` must be a non-empty string"),
    ("category not text", {**GOOD, "category": 3}, "`category` must be a string"),
    ("oasst tree", {"message_tree_id": "t", "prompt": {"role": "prompter"}}, "read it as oasst:PATH"),
]


@pytest.mark.parametrize(
    ("record", "message"), [(r, m) for _, r, m in BAD_RECORDS], ids=[n for n, _, _ in BAD_RECORDS]
)
def test_bad_records_name_file_and_line(tmp_path: Path, record: Any, message: str) -> None:
    f = write(tmp_path / "data.jsonl", {**GOOD, "id": "ok"}, record)
    with pytest.raises(WarmlabError) as e:
        load_jsonl(f)
    text = str(e.value)
    assert text.startswith(f"{f}:2: ") and message in text, text
    assert "\n" not in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "ok", "messages": [', "2: invalid JSON"),
        ("[1, 2]", "2: expected a JSON object, got list"),
        (json.dumps(GOOD), "conversation id 'c1' occurs more than once"),
    ],
)
def test_bad_files(tmp_path: Path, content: str, message: str) -> None:
    f = write(tmp_path / "data.jsonl", GOOD, content)
    with pytest.raises(WarmlabError, match=message):
        load_jsonl(f)


def test_empty_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(WarmlabError, match="no conversations"):
        load_jsonl(write(tmp_path / "empty.jsonl", ""))
    with pytest.raises(WarmlabError, match="conversation file not found"):
        load_jsonl(tmp_path / "missing.jsonl")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(WarmlabError, match="cannot read"):
        load_jsonl(binary)


def test_validate_messages_returns_plain_dicts() -> None:
    extra = {**A, "name": "bot", "weight": 1}
    assert validate_messages([U, extra], "here") == (U, A)


def test_source_routing(tmp_path: Path) -> None:
    f = write(tmp_path / "mine.jsonl", GOOD)
    assert [c.id for c in load_source(str(f))] == ["c1"]
    assert [c.id for c in load_source(f"jsonl:{f}")] == ["c1"]
    with pytest.raises(WarmlabError, match="conversation file not found"):
        load_source(str(tmp_path / "nope.jsonl"))
    for bad in ("", "oasst:", "sharegpt:x", "nope"):
        with pytest.raises(WarmlabError, match="unknown conversation source"):
            load_source(bad)


# --- OpenAssistant trees -------------------------------------------------------------------------------


def msg(role: str, text: str, *replies: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {"role": role, "text": text, "lang": "en", "replies": list(replies), **kw}


def tree(tid: str, root: dict[str, Any]) -> dict[str, Any]:
    return {"message_tree_id": tid, "tree_state": "ready_for_export", "prompt": root}


def test_oasst_best_branch_rules(tmp_path: Path) -> None:
    f = write(
        tmp_path / "trees.jsonl",
        tree(
            "t1",
            msg(
                "prompter",
                "Q1",
                msg("assistant", "ranked second", rank=1),
                msg("assistant", "ranked first", msg("prompter", "unanswered follow-up"), rank=0),
                msg("assistant", "deleted", rank=-1, deleted=True),
                msg("assistant", "rejected in review", rank=-2, review_result=False),
                msg("assistant", "model-written", rank=-3, synthetic=True),
            ),
        ),
        tree("t2", msg("prompter", "Bonjour", msg("assistant", "Salut"), lang="fr")),
        tree("t3", msg("prompter", "synthetic prompt", msg("assistant", "x"), synthetic=True)),
        tree("t4", msg("prompter", "no answer at all")),
    )
    convs = load_oasst(f)
    # the unanswered follow-up does not discard the answer before it
    assert [(c.id, [m["content"] for m in c.messages]) for c in convs] == [
        ("oasst-t1-0", ["Q1", "ranked first"])
    ]
    assert convs[0].category == "oasst"
    with_synthetic = load_oasst(f, include_synthetic=True)
    assert [c.assistant_turns for c in with_synthetic] == [["model-written"], ["x"]]
    every = load_oasst(f, branches="all")
    assert sorted(c.assistant_turns[0] for c in every) == ["ranked first", "ranked second"]


def test_oasst_max_turns(tmp_path: Path) -> None:
    deep = msg("prompter", "Q1", msg("assistant", "A1", msg("prompter", "Q2", msg("assistant", "A2"))))
    f = write(tmp_path / "t.jsonl", tree("d", deep))
    assert [m["content"] for m in load_oasst(f)[0].messages] == ["Q1", "A1", "Q2", "A2"]
    assert [m["content"] for m in load_oasst(f, max_turns=1)[0].messages] == ["Q1", "A1"]


@pytest.mark.parametrize(
    ("records", "kwargs", "message"),
    [
        ([{"message_tree_id": "x"}], {}, "2: not an OpenAssistant message tree"),
        ([tree("x", msg("assistant", "A"))], {}, "2: not an OpenAssistant message tree"),
        (
            [tree("x", msg("prompter", "Q", {"role": "assistant", "replies": []}))],
            {},
            "2: a message has no `text`",
        ),
        ([tree("x", msg("prompter", "Q", msg("moderator", "A")))], {}, "role other than prompter/assistant"),
        ([tree("x", msg("prompter", "Q"))], {}, "no usable conversations"),
        ([tree("x", msg("prompter", "Q", msg("assistant", "A")))], {"branches": "some"}, "best or all"),
        ([tree("x", msg("prompter", "Q", msg("assistant", "A")))], {"max_turns": 0}, "at least 1"),
    ],
)
def test_oasst_bad_input(tmp_path: Path, records: list[Any], kwargs: dict[str, Any], message: str) -> None:
    good = tree("ok", msg("prompter", "Q", msg("assistant", "A")))
    f = write(tmp_path / "t.jsonl", *([good, *records] if "usable" not in message else records))
    with pytest.raises(WarmlabError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_oasst(f, **kwargs)
    with pytest.raises(WarmlabError, match="OpenAssistant file not found"):
        load_oasst(tmp_path / "missing.jsonl")


def test_oasst_sample(shared_data: Path) -> None:
    path = shared_data / "oasst_sample" / "en_100_tree.jsonl"
    trees = [json.loads(line) for line in path.read_text().splitlines()]
    synthetic: set[str] = set()

    def walk(m: dict[str, Any]) -> None:
        if m.get("synthetic"):
            synthetic.add(m["text"])
        for r in m.get("replies", []):
            walk(r)

    for t in trees:
        walk(t["prompt"])
    convs = load_source(f"oasst:{path}")
    # one per tree whose prompt is human-written (5 of the 100 prompts are synthetic)
    assert len(convs) == sum(not t["prompt"].get("synthetic") for t in trees) == 95
    assert len({c.id for c in convs}) == len(convs)
    for c in convs:
        roles = [m["role"] for m in c.messages]
        assert roles[0] == "user" and roles[-1] == "assistant"
        assert roles == ["user", "assistant"] * (len(roles) // 2)
        assert 1 <= roles.count("user") <= 3
        assert not synthetic & {m["content"] for m in c.messages}
    assert sum(len(c.messages) > 2 for c in convs) > 20  # multi-turn conversations are kept
    every = load_oasst(path, branches="all")
    assert len(every) > 4 * len(convs)

    def key(c: Conversation) -> tuple[tuple[str, str], ...]:
        return tuple((m["role"], m["content"]) for m in c.messages)

    assert {key(c) for c in convs} <= {key(c) for c in every}
    assert len(load_oasst(path, include_synthetic=True)) == 100
    assert all(len(c.messages) == 2 for c in load_oasst(path, max_turns=1))
