"""Rasa graph components of wijkbrug's NLU pipelines (config-<lang>.yml)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot import normalise


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class NormalisingTokenizer(Tokenizer):
    """Whitespace/punctuation tokenizer whose tokens are normalised (bot.normalise).

    The token text is normalised (Turkish casing, Arabic letter variants, diacritics,
    stretched letters, emoji as words) while start/end still point into the original
    message, so entity extraction keeps working on what the resident wrote. Training and
    parsing go through this same component.
    """

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "language": None,  # e.g. "tr" turns on Turkish casing rules
            "fold_diacritics": True,
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NormalisingTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        text = message.get(attribute) or ""
        words = normalise.tokens(
            text, self._config["language"], self._config["fold_diacritics"]
        )
        if not words:
            # Rasa needs at least one token; "?" or "..." still gets a (fallback) answer.
            return [Token(text or "_", 0, len(text))]
        return [Token(w.text, w.start, w.end, lemma=w.text) for w in words]

    @staticmethod
    def not_supported_languages() -> List[str] | None:
        return None
