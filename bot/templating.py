"""HTML pages from Jinja2 templates, with texts from the same Babel catalogs as the bot.

Templates call `_("Dutch text", name=value)` (placeholders as in the catalogs: {name})
and `ngettext(singular, plural, n)`; `pybabel extract` finds both (babel.cfg). One
Environment per language, so rendering never mixes languages. Autoescaping is on.
"""

from __future__ import annotations

import functools
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot import LANGUAGES, i18n


@functools.cache
def environment(folder: str, language: str) -> Environment:
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(
        _=lambda text, **values: i18n.translate(language, text, **values),
        ngettext=lambda singular, plural, n, **values: i18n.fill(
            i18n.ngettext(singular, plural, n, language), **values),
        lang=language,
        dir="rtl" if language in i18n.RTL_LANGUAGES else "ltr",
        languages=LANGUAGES,
        endonyms=i18n.ENDONYMS,
    )
    return env


def render(folder: Path, name: str, language: str | None, **context) -> str:
    return environment(str(folder), i18n.language_or_default(language)).get_template(name).render(**context)
