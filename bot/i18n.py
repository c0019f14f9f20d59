"""Babel gettext catalogs: every user-facing text, Dutch source, in nl, tr, ar and pap."""

from __future__ import annotations

import functools
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import yaml
from babel.dates import format_date, format_time
from babel.support import NullTranslations, Translations

from bot import LANGUAGES, SOURCE_LANGUAGE

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
RTL_LANGUAGES = frozenset({"ar"})

# Unicode isolates: a left-to-right run (a Dutch name, a phone number, a postcode) inside
# right-to-left Arabic text is wrapped in LRI ... PDI so it is not reordered.
LRI, PDI, RLM = "\u2066", "\u2069", "\u200f"
_LTR_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .,:/@+\-()'’&]*[A-Za-z0-9)]|[A-Za-z0-9]")


# Each language by its own name, as on the language buttons (never translated).
ENDONYMS = {"nl": "Nederlands", "tr": "Türkçe", "ar": "العربية", "pap": "Papiamentu"}


def _(message: str) -> str:
    """Marks a Dutch source text for extraction; translate it with gettext(language, ...)."""
    return message


def language_or_default(language: str | None) -> str:
    return language if language in LANGUAGES else SOURCE_LANGUAGE


@functools.cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog of a language (`make catalogs` builds the .mo files)."""
    language = language_or_default(language)
    mo = TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.mo"
    if language != SOURCE_LANGUAGE and not mo.exists():
        raise FileNotFoundError(f"{mo} is missing: run `make catalogs`")
    return Translations.load(str(TRANSLATIONS_DIR), [language])


def gettext(language: str | None, message: str) -> str:
    return translations(language_or_default(language)).gettext(message)


def fill(text: str, **values: Any) -> str:
    """Puts values into a text's {placeholders} (our catalogs' style)."""
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def translate(language: str | None, text: str, **values: Any) -> str:
    """A Dutch source text in the language, with its placeholders filled."""
    return fill(gettext(language, text), **values)


def ngettext(singular: str, plural: str, n: int, language: str | None) -> str:
    """The plural form for n in a language (Arabic has six); `n` is also filled in as {n}.

    The language comes last so `pybabel extract` finds the texts with its default
    `ngettext` keyword.
    """
    chosen = translations(language_or_default(language)).ngettext(singular, plural, n)
    return chosen.replace("{n}", str(n))


# Babel locales for dates and times. Arabic uses the general "ar" locale: the month names
# most Arabic speakers know, with the Latin digits the rest of our texts use.
BABEL_LOCALES = {"nl": "nl_NL", "tr": "tr_TR", "ar": "ar", "pap": "pap_CW"}


def format_day(moment: datetime, language: str | None) -> str:
    """A date written out in the language: "maandag 30 november 2026", "30 Kasım 2026 Pazartesi"."""
    return format_date(moment, "full", locale=BABEL_LOCALES[language_or_default(language)])


def format_clock(moment: datetime, language: str | None) -> str:
    """A time of day on the 24-hour clock used in the Netherlands: "09:00"."""
    return format_time(moment, "HH:mm", locale=BABEL_LOCALES[language_or_default(language)])


TODAY_AT = _("vandaag om {time}")
TOMORROW_AT = _("morgen om {time}")
DAY_AT = _("{day} om {time}")
# Weekday and date in each language's own order; Babel supplies the names.
DAY_PATTERNS = {"nl": "EEEE d MMMM", "tr": "d MMMM EEEE", "ar": "EEEE d MMMM", "pap": "EEEE d 'di' MMMM"}


def _weekday_and_date(moment: datetime, language: str) -> str:
    """"vrijdag 27 november" in Amsterdam time, in the language's own order."""
    from bot.clock import AMSTERDAM

    return format_date(moment.astimezone(AMSTERDAM), DAY_PATTERNS[language], locale=BABEL_LOCALES[language])


def format_moment(moment: datetime, language: str | None, now: datetime) -> str:
    """"vandaag om 19:00", "morgen om 09:00" or "zaterdag 5 december om 10:00"."""
    from bot.clock import AMSTERDAM

    language = language_or_default(language)
    days_ahead = (moment.astimezone(AMSTERDAM).date() - now.astimezone(AMSTERDAM).date()).days
    clock_time = format_clock(moment.astimezone(AMSTERDAM), language)
    if days_ahead == 0:
        return gettext(language, TODAY_AT).replace("{time}", clock_time)
    if days_ahead == 1:
        return gettext(language, TOMORROW_AT).replace("{time}", clock_time)
    day = _weekday_and_date(moment, language)
    return gettext(language, DAY_AT).replace("{day}", day).replace("{time}", clock_time)


def format_span(start: datetime, end: datetime, language: str | None) -> str:
    """A window on one day: "vrijdag 27 november 19:30-20:00" (Babel's day names and order)."""
    from bot.clock import AMSTERDAM

    language = language_or_default(language)
    start, end = start.astimezone(AMSTERDAM), end.astimezone(AMSTERDAM)
    return f"{_weekday_and_date(start, language)} {format_clock(start, language)}-{format_clock(end, language)}"


def isolate_ltr_runs(text: str) -> str:
    """Wraps Latin and digit runs of an Arabic text in LRI/PDI and marks it RTL."""
    wrapped = _LTR_RUN.sub(lambda m: f"{LRI}{m.group()}{PDI}", text)
    return RLM + wrapped if not wrapped.startswith(RLM) else wrapped


def for_display(language: str | None, text: str) -> str:
    """Final touch before a text leaves the bot: bidi isolation for right-to-left languages."""
    if language_or_default(language) in RTL_LANGUAGES:
        return isolate_ltr_runs(text)
    return text


ENDONYM_PAYLOAD = "/choose_language{"


def extract_domain_responses(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extractor for Rasa domain files: response texts and button titles.

    Registered in babel.cfg, so `pybabel extract` puts domain responses in messages.pot
    next to the strings marked in Python code.
    """
    source = fileobj.read().decode("utf-8")
    lines = source.splitlines()
    domain = yaml.safe_load(source) or {}

    def line_of(text: str) -> int:
        first = text.strip().splitlines()[0] if text.strip() else text
        for number, line in enumerate(lines, start=1):
            if first and first in line:
                return number
        return 0

    for name, variations in (domain.get("responses") or {}).items():
        for variation in variations or []:
            text = variation.get("text")
            if text:
                yield line_of(text), None, text, [f"response {name}"]
            for button in variation.get("buttons") or []:
                if str(button.get("payload", "")).startswith(ENDONYM_PAYLOAD):
                    continue  # "Türkçe", "العربية": each language's own name, never translated
                yield line_of(button["title"]), None, button["title"], [f"button of {name}"]
