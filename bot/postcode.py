"""Dutch postcodes as residents type them: "3531 AB", "3531ab", "3531-AB" or only "3531"."""

from __future__ import annotations

import re

# Four digits (no leading zero), then optionally two letters. Letters after a space only
# count when they are capitals or end the message, so "3531 is mijn postcode" is 3531.
# SA, SD and SS are never used in Dutch postcodes.
_POSTCODE = re.compile(
    r"(?<![0-9])([1-9][0-9]{3})"
    r"(?:(?:[ -]?([A-Z]{2})|([a-z]{2})|[ -]([a-zA-Z]{2})(?=\s*[.!?]*\s*$)))?"
    r"(?![0-9A-Za-z])"
)
_EXCLUDED_LETTERS = {"SA", "SD", "SS"}


def find_postcode(text: str) -> str | None:
    """The first postcode in a text, written as "3531 AB" (or "3531" without letters)."""
    for match in _POSTCODE.finditer(text or ""):
        digits = match.group(1)
        letters = next((g for g in match.groups()[1:] if g), None)
        if letters is None:
            return digits
        letters = letters.upper()
        if letters not in _EXCLUDED_LETTERS:
            return f"{digits} {letters}"
    return None
