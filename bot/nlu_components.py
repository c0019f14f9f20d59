"""Rasa graph components of wijkbrug's NLU pipelines (config-<lang>.yml)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

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


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    """TF-IDF weighting of the count-vector features, then logistic regression.

    On held-out Dutch data it scored higher than every DIET configuration we measured
    and trained in about a minute instead of two to nine (docs/benchmarks.md, "Choosing
    the classifier"); with a few dozen examples per intent a linear model over word and
    character n-grams generalises well.
    """

    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 10.0, "max_iter": 3000, "ranking_length": 10, "random_state": 42}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        pipeline: Any = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.pipeline = pipeline

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    @staticmethod
    def _features(messages: list[Message], width: int | None = None) -> Any:
        """One row per message. A message without tokens (empty, only spaces) gets fewer
        featurizers' columns, or none: at prediction it becomes an empty row of the
        trained width (found by fuzzing: it crashed the whole turn)."""
        from scipy.sparse import csr_matrix, vstack

        rows = []
        for message in messages:
            _, sentence = message.get_sparse_features(attribute=TEXT)
            rows.append(csr_matrix(sentence.features) if sentence is not None else None)
        width = width or max((r.shape[1] for r in rows if r is not None), default=1)
        return vstack([r if r is not None and r.shape[1] == width else csr_matrix((1, width)) for r in rows])

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        examples = [m for m in training_data.intent_examples if m.get(INTENT) and m.get(TEXT)]
        if not examples:
            return self._resource
        self.pipeline = make_pipeline(
            TfidfTransformer(sublinear_tf=True),
            LogisticRegression(
                C=self.config["C"],
                max_iter=self.config["max_iter"],
                random_state=self.config["random_state"],
            ),
        )
        self.pipeline.fit(self._features(examples), [m.get(INTENT) for m in examples])
        self.persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self.pipeline is None or not messages:
            return messages
        width = self.pipeline.steps[0][1].n_features_in_
        probabilities = self.pipeline.predict_proba(self._features(messages, width))
        classes = self.pipeline.classes_
        for message, row in zip(messages, probabilities):
            ranking = sorted(
                ({"name": str(c), "confidence": float(p)} for c, p in zip(classes, row)),
                key=lambda entry: -entry["confidence"],
            )
            message.set("intent", ranking[0], add_to_output=True)
            message.set(
                "intent_ranking", ranking[: self.config["ranking_length"]], add_to_output=True
            )
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as model_dir:
            sio.dump(self.pipeline, model_dir / "linear_intent_classifier.skops")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        import skops.io as sio

        with model_storage.read_from(resource) as model_dir:
            path = model_dir / "linear_intent_classifier.skops"
            # Only sklearn/numpy/scipy types of our own pipeline: refuse anything else.
            types = sio.get_untrusted_types(file=path)
            unexpected = [t for t in types if not t.startswith(("sklearn.", "numpy.", "scipy."))]
            if unexpected:
                raise ValueError(f"unexpected types in {path.name}: {unexpected}")
            pipeline = sio.load(path, trusted=types)
        return cls(config, model_storage, resource, pipeline)
