"""Words the NLU model of a language has seen in training.

A message none of whose words were ever seen ("qwzx vbnk plmr") cannot be understood,
however confident the classifier happens to be: it goes to "please rephrase". This guards
the fallback independently of the confidence threshold.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import FrozenSet

import yaml

from bot.normalise import is_emoji, tokens

FALLBACK_INTENT = "nlu_fallback"


# "[3531 AB](postcode)" or "[turks]{"entity": ...}" in Rasa's training format: keep the text.
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


@functools.cache
def training_vocabulary(nlu_dir: Path, language: str) -> FrozenSet[str]:
    """Read straight from the YAML (Rasa's own loader takes seconds for this)."""
    words = set()
    for path in sorted(Path(nlu_dir).glob("*.yml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        for item in (data or {}).get("nlu") or []:
            if "intent" not in item:
                continue
            for line in str(item.get("examples") or "").splitlines():
                text = _ANNOTATION.sub(r"\1", line.strip().removeprefix("- "))
                words.update(w.text for w in tokens(text, language))
    return frozenset(words)


def all_words_unknown(text: str, language: str, vocabulary: FrozenSet[str]) -> bool:
    """True for a message with letters whose words the model never saw (emoji do not count)."""
    if text.startswith("/"):
        return False
    words = [w.text for w in tokens(text, language) if not any(is_emoji(c) for c in w.text[:1])]
    words = [w for w in words if not w.startswith("emoji_") and any(c.isalpha() for c in w)]
    return bool(words) and not any(w in vocabulary for w in words)


def guard(parse_data: dict, text: str, language: str, vocabulary: FrozenSet[str]) -> dict:
    """Turns the parse of a message of only unknown words into nlu_fallback."""
    if all_words_unknown(text, language, vocabulary):
        confidence = (parse_data.get("intent") or {}).get("confidence", 0.0)
        parse_data["intent"] = {"name": FALLBACK_INTENT, "confidence": confidence}
    return parse_data
