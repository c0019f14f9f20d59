"""Language identification for nl, tr, ar, pap and en, trained on our own data.

No offline identifier covers Papiamento, so we train a small character n-gram model on the
NLU training examples of each language (plus nlu/langid/en.txt). It works on the text as
the resident wrote it, with diacritics kept: ş, ğ, ı point to Turkish, è and ù to
Papiamento, while Arabizi ("3lach", "wach") learns its own n-grams.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

from bot import LANGUAGES, normalise

ALL_LANGUAGES = (*LANGUAGES, "en")


def prepare(text: str) -> str:
    return normalise.normalise(text, fold=False)


@dataclass
class Guess:
    language: str
    confidence: float
    words: int


class LanguageIdentifier:
    def __init__(self, pipeline) -> None:
        self._pipeline = pipeline

    @classmethod
    def train(cls, examples: dict[str, list[str]]) -> LanguageIdentifier:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        texts, labels = [], []
        for language, items in examples.items():
            for text in items:
                prepared = prepare(text)
                if prepared:
                    texts.append(prepared)
                    labels.append(language)
        features = make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True),
            TfidfVectorizer(analyzer="word", token_pattern=r"\S+", sublinear_tf=True),
        )
        pipeline = make_pipeline(features, LogisticRegression(C=20, max_iter=3000))
        pipeline.fit(texts, labels)
        return cls(pipeline)

    def save(self, path: Path) -> None:
        path.write_bytes(pickle.dumps(self._pipeline))

    @classmethod
    def load(cls, path: Path) -> LanguageIdentifier:
        # Our own model file, written by `wijkbrug train` into models/.
        return cls(pickle.loads(path.read_bytes()))  # noqa: S301

    def identify(self, text: str) -> Guess | None:
        """The most likely language, or None for text without words (emoji, "...")."""
        prepared = prepare(text)
        words = [w for w in prepared.split() if not w.startswith("emoji_")]
        # Digits alone ("06 41 27 83 90", "3531") are in no language: the conversation keeps its own.
        if not any(ch.isalpha() for w in words for ch in w):
            return None
        probabilities = self._pipeline.predict_proba([prepared])[0]
        classes = self._pipeline.classes_
        best = max(range(len(classes)), key=lambda i: probabilities[i])
        return Guess(str(classes[best]), float(probabilities[best]), len(words))


def training_examples(nlu_dir: Path) -> dict[str, list[str]]:
    """Plain texts per language from nlu/<lang>/ (Rasa YAML) and nlu/langid/<lang>.txt."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples: dict[str, list[str]] = {language: [] for language in ALL_LANGUAGES}
    for language in LANGUAGES:
        for message in load_data(str(nlu_dir / language)).intent_examples:
            # Residents also write whole messages in another language ("goedemiddag" in the
            # Papiamento data); such examples carry metadata: {language: nl}.
            marked = ((message.get("metadata") or {}).get("example") or {}).get("language")
            examples[marked or language].append(message.get("text"))
    for extra in sorted((nlu_dir / "langid").glob("*.txt")):
        lines = [line.strip() for line in extra.read_text(encoding="utf-8").splitlines()]
        examples.setdefault(extra.stem, []).extend(line for line in lines if line)
    return examples
