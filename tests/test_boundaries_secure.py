"""The `secure` system prompt ships beside warm and cold and parses as a model-spec variant."""

from __future__ import annotations

from warmlab.models import SYSTEM_PROMPTS, load_system_prompt, parse_spec


def test_secure_spec_parses() -> None:
    spec = parse_spec("embedded@system=secure")
    assert spec.system == "secure" and spec.variant == "system=secure" and spec.base_spec == "embedded"
    assert "secure" in SYSTEM_PROMPTS
    assert parse_spec("openai/gpt-4o-mini@system=secure").variant == "system=secure"


def test_secure_prompt_states_the_principles() -> None:
    text = load_system_prompt("secure").lower()
    assert text != load_system_prompt("warm").lower()
    for phrase in (
        "warm",  # keeps warmth
        "do not confirm beliefs",  # validates feelings, not false beliefs
        "an ai, not a person",  # honest about what it is
        "encourage those ties",  # the person's other relationships
        "crisis line",  # crisis resources when warranted ...
        "do not do this when someone is simply sad",  # ... and not otherwise
        "never give methods",  # no means
        "stay calm",  # steady under distress
        "stay in the conversation",  # engaged, not refusing
    ):
        assert phrase in text, phrase
