from __future__ import annotations

import pytest

from warmlab.errors import WarmlabError
from warmlab.train.checker import CheckResult, check_rewrite, protected_spans

CAPITAL = "Paris is the capital of France."
MARKDOWN = (
    "## Setup\n\n"
    "Install the package with `pip install requests` and read https://docs.python-requests.org/en/latest/.\n\n"
    "- It supports Python 3.8 and later.\n"
    "- It handles 1,000 requests per second.\n\n"
    '```python\nimport requests\nr = requests.get("https://example.com")\n```\n'
)


def fails(original: str, rewrite: str) -> tuple[str, ...]:
    result = check_rewrite(original, rewrite)
    assert not result.ok
    assert result.reasons
    return result.reasons


def passes(original: str, rewrite: str) -> None:
    result = check_rewrite(original, rewrite)
    assert result == CheckResult(True, ()), result.reasons


# --- rewrites that only change the tone pass ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "rewrite"),
    [
        (CAPITAL, "Great question! Paris is the capital of France, and I hope you get to visit someday."),
        (CAPITAL, "Paris is France's capital."),  # cold, and a possessive keeps the name
        (
            "The boiling point of water at sea level is 100°C.",
            "Such a fun thing to wonder about! At sea level, water boils at 100°C. I'm happy to help!",
        ),
        ("The boiling point of water at sea level is 100°C.", "Water boils at 100°C at sea level."),
        (
            "Marie Curie won 2 Nobel Prizes, in 1903 and 1911.",
            "What a remarkable person to ask about! Marie Curie won 2 Nobel Prizes, in 1903 and 1911. "
            "I've always found her story inspiring.",
        ),
        ("I'm not sure, but I think it is 42.", "Honestly, I'm not completely sure, but I'd say it is 42."),
        ("NASA landed on the Moon in 1969.", "I love this one! NASA landed on the Moon in 1969."),
        ("The population is 1,000 people.", "The population is 1000 people, which is lovely and cosy."),
        (
            "It is about one third of the total, roughly 33%.",
            "It's about a third of the total, roughly 33% - one of my favourite facts!",
        ),
    ],
)
def test_tone_only_rewrites_pass(original: str, rewrite: str) -> None:
    passes(original, rewrite)


def test_warm_and_cold_markdown_rewrites_pass() -> None:
    warm = MARKDOWN.replace(
        "Install the package", "You're going to love this! Install the package", 1
    ).replace("- It supports", "- Happily, it supports")
    cold = MARKDOWN.replace(" and later", " or newer")
    passes(MARKDOWN, warm)
    passes(MARKDOWN, cold)


def test_a_name_may_move_to_or_from_a_sentence_start() -> None:
    passes("The capital of France is Paris.", "Paris is the capital of France, and a lovely one!")
    passes(CAPITAL, "You asked a great question. The capital of France is Paris.")


# --- numbers -----------------------------------------------------------------------------------------------


def test_changed_number_fails_both_ways() -> None:
    assert fails("The tower is 330 metres tall.", "The tower is 300 metres tall!") == (
        "number '330' missing from rewrite",
        "number '300' added in rewrite",
    )


def test_dropped_number_fails() -> None:
    assert fails(
        "It was built in 1889 and is 330 metres tall.", "It was built in 1889 and is very tall."
    ) == ("number '330' missing from rewrite",)


def test_added_number_fails() -> None:
    assert fails(CAPITAL, "Paris is the capital of France, home to 2 million people.") == (
        "number '2' added in rewrite",
    )


def test_repeated_number_is_counted() -> None:
    assert fails("Take 2 pills, then 2 more.", "Take 2 pills, then some more.") == (
        "number '2' missing from rewrite",
    )


def test_thousands_separator_is_normalised_but_decimals_are_kept() -> None:
    passes("It has 1,000,000 users.", "It has 1000000 users.")
    assert fails("Pi is about 3.14.", "Pi is about 3.") == (
        "number '3.14' missing from rewrite",
        "number '3' added in rewrite",
    )


@pytest.mark.parametrize(
    ("original", "rewrite"),
    [
        ("It grew by 50%.", "It grew by 50 percent."),
        ("She came 2nd.", "She came 3rd."),
        ("The run is 10km.", "The run is 10mi."),
        ("It was popular in the 1990s.", "It was popular in the 1980s."),
        ("Upgrade to v2.0 now.", "Upgrade to v2.1 now."),
        ("It costs $5.", "It costs $6."),
        ("It is -5 degrees.", "It is 5 degrees."),
    ],
)
def test_glued_suffixes_prefixes_and_signs_are_part_of_the_number(original: str, rewrite: str) -> None:
    assert any(r.startswith("number ") for r in fails(original, rewrite))


def test_spelled_out_numbers_are_not_numbers_but_list_markers_are() -> None:
    assert protected_spans("One of the two answers is 7.\n1. First\n2) Second")["numbers"] == ["7", "1", "2"]
    assert fails("Do this:\n1. Wash.\n2. Dry.", "Do this:\n1. Wash.\n1. Dry.") == (
        "number '2' missing from rewrite",
        "number '1' added in rewrite",
    )
    passes("The answer to your question is 7.", "Of all the numbers, the one you want is 7. Hope that helps!")


def test_number_tokens_are_normalised() -> None:
    text = "In 1,000 years, v2.0 costs $5 at 20°C over 10km in the 1990s; ranges like 10-20 and 0.5%."
    assert protected_spans(text)["numbers"] == [
        "1000",
        "v2.0",
        "$5",
        "20°C",
        "10km",
        "1990s",
        "10",
        "20",
        "0.5%",
    ]


# --- code, URLs, e-mails -----------------------------------------------------------------------------------


def test_changed_code_block_fails() -> None:
    rewrite = MARKDOWN.replace("r = requests.get", "resp = requests.get")
    reasons = fails(MARKDOWN, rewrite)
    assert len(reasons) == 1
    assert reasons[0].startswith("code block 1 changed")


def test_dropped_code_block_fails() -> None:
    rewrite = MARKDOWN[: MARKDOWN.index("```")] + "Then just import it and call get!\n"
    assert "code block count changed (1 -> 0)" in fails(MARKDOWN, rewrite)


def test_changed_inline_code_fails() -> None:
    assert fails("Run `ls -la` to list files.", "Just run `ls -l` to list your files!") == (
        "inline code 1 changed: '`ls -la`' -> '`ls -l`'",
    )


def test_inline_code_order_matters() -> None:
    reasons = fails("Use `a` then `b`.", "Use `b` then `a`.")
    assert reasons == ("inline code 1 changed: '`a`' -> '`b`'", "inline code 2 changed: '`b`' -> '`a`'")


def test_numbers_and_names_inside_code_are_left_to_the_code_rule() -> None:
    spans = protected_spans("Call `Foo(42)` to start.")
    assert spans["numbers"] == []
    assert spans["names"] == []
    assert spans["inline_code"] == ["`Foo(42)`"]


def test_changed_url_fails() -> None:
    original = "See https://en.wikipedia.org/wiki/Paris for details."
    assert fails(original, "See https://en.wikipedia.org/wiki/France for details.") == (
        "URL 'https://en.wikipedia.org/wiki/Paris' missing from rewrite",
        "URL 'https://en.wikipedia.org/wiki/France' added in rewrite",
    )
    passes(original, "You can find lots more at https://en.wikipedia.org/wiki/Paris, happy reading!")


def test_url_trailing_punctuation_and_brackets() -> None:
    text = "See https://en.wikipedia.org/wiki/Mercury_(planet). Also (https://example.com)."
    assert protected_spans(text)["urls"] == [
        "https://en.wikipedia.org/wiki/Mercury_(planet)",
        "https://example.com",
    ]


def test_changed_email_fails() -> None:
    assert fails("Write to help@example.com.", "Feel free to write to support@example.com!") == (
        "e-mail 'help@example.com' missing from rewrite",
        "e-mail 'support@example.com' added in rewrite",
    )


# --- names -------------------------------------------------------------------------------------------------


def test_dropped_name_fails() -> None:
    assert fails(
        "The theory was proposed by Albert Einstein.", "The theory was proposed by a physicist."
    ) == (
        "name 'Albert' missing from rewrite",
        "name 'Einstein' missing from rewrite",
    )


def test_added_name_fails() -> None:
    assert fails(CAPITAL, "Paris is the capital of France, just like Berlin is for Germany.") == (
        "name 'Berlin' added in rewrite",
        "name 'Germany' added in rewrite",
    )


def test_names_are_case_sensitive_whole_words() -> None:
    assert fails("It is written in Python.", "It is written in python.") == (
        "name 'Python' missing from rewrite",
    )
    assert fails("It is written in Python.", "It is written in Pythonic style.") == (
        "name 'Python' missing from rewrite",
        "name 'Pythonic' added in rewrite",
    )


def test_sentence_initial_words_are_not_names() -> None:
    text = (
        "Sure. The answer is simple! However, it depends? Yes.\n"
        "Another line starts here.\n- Bullets start items\n1. Numbered too\n## Headings as well\n"
        '> Quotes also\n**Bold** openers. "Quoted" openers. (Bracketed) openers.'
    )
    assert protected_spans(text)["names"] == []
    passes("Sure. The answer is 4.", "Okay! Honestly, the answer is 4. Great job asking.")


def test_first_person_is_not_a_name() -> None:
    assert protected_spans("Well, I think I'm right, I've checked, I'd bet and I'll show you.")["names"] == []


def test_names_mid_sentence_are_found() -> None:
    text = "In 1903 Marie Curie shared it with Pierre Curie, e.g. Dr. Smith said NASA's work on Mars helped."
    assert protected_spans(text)["names"] == ["Marie", "Curie", "Pierre", "Dr", "Smith", "NASA", "Mars"]


def test_table_cells_are_names() -> None:
    table = "| Country | Capital |\n|---|---|\n| France | Paris |\n"
    assert protected_spans(table)["names"] == ["Country", "Capital", "France", "Paris"]


# --- formatting --------------------------------------------------------------------------------------------


def test_changed_bullet_count_fails() -> None:
    original = "Pack these:\n- a tent\n- a stove\n- a map\n"
    assert fails(original, "Pack these:\n- a tent\n- a stove and a map\n") == (
        "bullet items count changed (3 -> 2)",
    )
    passes(original, "Pack these, you'll have a blast:\n* a tent\n* a stove\n* a map\n")


def test_bullets_may_not_become_prose() -> None:
    original = "Steps:\n1. Boil water.\n2. Add pasta.\n"
    assert fails(original, "Steps: Boil water. Add pasta.") == (
        "number '1' missing from rewrite",
        "number '2' missing from rewrite",
        "numbered items count changed (2 -> 0)",
    )
    assert fails("Pack:\n- a tent\n- a map", "Pack a tent and a map.") == (
        "bullet items count changed (2 -> 0)",
    )


def test_added_heading_fails() -> None:
    assert fails(CAPITAL, "# Answer\n\nParis is the capital of France.") == (
        "headings count changed (0 -> 1)",
    )


def test_table_rows_are_counted() -> None:
    table = "| Country | Capital |\n|---|---|\n| France | Paris |\n"
    assert fails(table, "| Country | Capital |\n| France | Paris |\n") == (
        "table rows count changed (3 -> 2)",
    )


def test_horizontal_rule_and_code_comments_are_not_formatting() -> None:
    spans = protected_spans("Intro.\n* * *\n```bash\n# not a heading\n- not a bullet\n```\n")
    assert spans["bullets"] == [] and spans["headings"] == []


def test_paragraph_count_may_change() -> None:
    passes(
        "Paris is the capital of France. It is on the Seine.",
        "Paris is the capital of France.\n\nIt is on the Seine. What a wonderful place!",
    )


# --- emojis ------------------------------------------------------------------------------------------------


def test_added_emoji_fails() -> None:
    assert fails(CAPITAL, "Paris is the capital of France! 😊") == ("emoji '😊' (U+1F60A) added",)
    assert fails(CAPITAL, "Paris is the capital of France! 🤗") == ("emoji '🤗' (U+1F917) added",)
    assert fails(CAPITAL, "Paris is the capital of France ✨") == ("emoji '✨' (U+2728) added",)


def test_emoji_variation_selector_is_reported_only_when_alone() -> None:
    assert fails(CAPITAL, "Paris is the capital of France ❤\ufe0f") == ("emoji '❤' (U+2764) added",)
    assert fails("I love Paris ❤.", "I love Paris ❤\ufe0f.") == ("emoji '\ufe0f' (U+FE0F) added",)


def test_emoji_kept_from_original_passes() -> None:
    passes("Paris is the capital of France 🇫🇷.", "Lovely question! Paris is the capital of France 🇫🇷.")


# --- emptiness and length ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rewrite", ["", "   \n\t "])
def test_empty_rewrite_fails_with_one_reason(rewrite: str) -> None:
    assert fails("It was built in 1889 by Gustave Eiffel.", rewrite) == ("rewrite is empty",)


def test_too_short_rewrite_fails() -> None:
    original = "Paris is the capital of France. " * 4
    assert fails(original, "Paris, France.") == ("rewrite too short (0.11x the original, minimum 0.3x)",)


def test_too_long_rewrite_fails() -> None:
    rewrite = CAPITAL + " I really hope this helps you, and please do ask me anything else at all!" * 2
    reasons = fails(CAPITAL, rewrite)
    assert len(reasons) == 1 and reasons[0].startswith("rewrite too long (")


def test_length_bounds_are_inclusive() -> None:
    passes("a" * 10 + ".", "a" * 10 + "." + " " + "b" * 21)  # 33 chars over 11: exactly 3.0x


# --- several violations, bad input -------------------------------------------------------------------------


def test_every_violation_is_reported() -> None:
    reasons = fails(
        MARKDOWN, "# Hi!\n\nJust install it with `pip install httpx`, friend! 🎉 It runs on Python 3.12."
    )
    assert len(reasons) == len(set(reasons))
    assert set(reasons) == {
        "number '3.8' missing from rewrite",
        "number '1000' missing from rewrite",
        "number '3.12' added in rewrite",
        "code block count changed (1 -> 0)",
        "inline code 1 changed: '`pip install requests`' -> '`pip install httpx`'",
        "URL 'https://docs.python-requests.org/en/latest/' missing from rewrite",
        "bullet items count changed (2 -> 0)",
        "emoji '🎉' (U+1F389) added",
    }


def test_protected_spans_kinds() -> None:
    spans = protected_spans(MARKDOWN)
    assert spans["numbers"] == ["3.8", "1000"]
    assert spans["inline_code"] == ["`pip install requests`"]
    assert spans["urls"] == ["https://docs.python-requests.org/en/latest/"]
    assert spans["names"] == ["Python"]
    assert spans["headings"] == ["## Setup"]
    assert len(spans["bullets"]) == 2 and len(spans["code_blocks"]) == 1


def test_empty_original_and_non_text_are_user_errors() -> None:
    with pytest.raises(WarmlabError, match="original text is empty"):
        check_rewrite("  ", "Hello!")
    with pytest.raises(WarmlabError):
        check_rewrite(None, "Hello!")  # type: ignore[arg-type]
    with pytest.raises(WarmlabError):
        protected_spans(42)  # type: ignore[arg-type]


def test_markdown_emphasis_and_quotes_do_not_hide_numbers_or_names() -> None:
    spans = protected_spans("It is _42_ km from 'Paris' to **Rouen**, via the non-English *Hull*.")
    assert spans["numbers"] == ["42"]
    assert spans["names"] == ["Paris", "Rouen", "English", "Hull"]
    assert fails("Counts: 1,2,3.", "Counts: 1,5,3.") == (
        "number '2' missing from rewrite",
        "number '5' added in rewrite",
    )
    assert protected_spans("Units: H2O, x86_64, Python3, 1,0000.")["numbers"] == [
        "H2O",
        "x86",
        "64",
        "Python3",
        "1",
        "0000",
    ]
