"""Judge-free forced choice: the log-likelihood of each option as the continuation of the conversation.

Local models only (warmlab's provider). The context is the chat-templated conversation, the generation
prompt and a fixed prefix (e.g. "The answer is"); each option is scored as " " + option (the space on the
option's side: tokenising it the other way shifts the boundary and flips results).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from inspect_ai.model import ChatMessage, get_model

from warmlab.errors import WarmlabError

#: how an option's log-likelihood is compared: summed over its tokens (longer options lose for being long),
#: per token, or per character of the option text (lm-evaluation-harness's acc_norm)
NORMS = ("sum", "token", "char")
#: Per token, from benchmarks/choice_norm.py on the embedded model (735 starter items, neutral condition):
#: accuracy sum 43.1% [40, 47], token 33.7% [30, 37], char 31.4% [28, 35]. Per character loses every yes/no
#: item (disinfo 0.0% vs 12.3%): for one-token answers it only divides by the word's length, so " Yes"
#: beats " No" whenever their log-probabilities are close. The sum's lead is the length bias normalising
#: removes (truthful, where the wrong answers average 20 characters against 6: sum 74.3%, token 30.0%).
DEFAULT_NORM = "token"


@dataclass(frozen=True)
class OptionScores:
    options: tuple[str, ...]
    logprobs: tuple[float, ...]  # summed over the option's tokens
    tokens: tuple[int, ...]

    @property
    def chosen(self) -> int:
        return self.chosen_by(DEFAULT_NORM)

    def scores(self, norm: str) -> tuple[float, ...]:
        if norm == "sum":
            return self.logprobs
        if norm == "token":
            return self.per_token()
        if norm == "char":
            return self.per_char()
        raise WarmlabError(f"unknown choice normalisation {norm!r}; choose from: {', '.join(NORMS)}")

    def chosen_by(self, norm: str) -> int:
        s = self.scores(norm)
        return max(range(len(self.options)), key=lambda i: s[i])

    def per_token(self) -> tuple[float, ...]:
        return tuple(lp / max(n, 1) for lp, n in zip(self.logprobs, self.tokens, strict=True))

    def per_char(self) -> tuple[float, ...]:
        # the continuation scored is " " + option: its characters, the leading space included
        return tuple(lp / (len(o) + 1) for lp, o in zip(self.logprobs, self.options, strict=True))


def local_model() -> object:
    from warmlab.provider import WarmlabAPI

    model = get_model()
    if not isinstance(model.api, WarmlabAPI):
        raise WarmlabError(f"choice mode needs a local model (embedded, a folder, BASE+ADAPTER), not {model}")
    return model.api.local


async def score_options(messages: Sequence[ChatMessage], options: Sequence[str], prefix: str) -> OptionScores:
    """Log-likelihood of each option after the conversation (answered by the model under test)."""
    from warmlab.provider import LocalModel, to_chat

    local = local_model()
    assert isinstance(local, LocalModel)
    context = local.chat_text(to_chat(messages)) + prefix
    scored = await asyncio.gather(*(local.loglik(context, " " + o) for o in options))
    return OptionScores(tuple(options), tuple(lp for lp, _ in scored), tuple(n for _, n in scored))
