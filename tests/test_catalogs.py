"""Every user-facing text exists, translated and not fuzzy, in nl, tr, ar and pap."""

import subprocess
import sys

import pytest
import yaml
from babel.messages.pofile import read_po

from bot import LANGUAGES, i18n

CATALOGS = i18n.TRANSLATIONS_DIR


def catalog(language):
    with open(CATALOGS / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=language)


def template_ids(tmp_path):
    """Extracts the texts of the current sources, as `make extract` does."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "--no-location", "-o", str(pot), "."],
        check=True, capture_output=True, cwd=CATALOGS.parent,
    )
    with open(pot, "rb") as f:
        return {m.id for m in read_po(f) if m.id}


def is_translated(message, language):
    """A text, or every plural form the language has (Arabic six), is filled in."""
    if isinstance(message.id, (list, tuple)):
        forms = list(message.string)
        return len(forms) == catalog(language).num_plurals and all(forms)
    return bool(message.string)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete_and_not_fuzzy(language, tmp_path):
    messages = {m.id: m for m in catalog(language) if m.id}
    missing = template_ids(tmp_path) - set(messages)
    assert not missing, f"run `make extract` and translate: {sorted(missing)[:3]}"
    untranslated = [m.id for m in messages.values() if not is_translated(m, language)]
    fuzzy = [m.id for m in messages.values() if m.fuzzy]
    assert not untranslated, f"{language}: untranslated {untranslated[:3]}"
    assert not fuzzy, f"{language}: fuzzy {fuzzy[:3]}"


@pytest.mark.parametrize("language", ["tr", "ar", "pap"])
def test_translations_are_not_copies_of_the_dutch(language):
    same = [
        m.id for m in catalog(language)
        if m.id and (m.string == m.id or isinstance(m.id, tuple) and m.string[0] == m.id[0])
    ]
    assert not same, f"{language}: not translated but copied: {same[:3]}"


@pytest.mark.parametrize("language", ["tr", "ar", "pap"])
def test_placeholders_survive_translation(language):
    import re

    for message in catalog(language):
        if not message.id:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        placeholders = set(re.findall(r"\{\w+\}", source))
        for form in forms:
            assert placeholders == set(re.findall(r"\{\w+\}", form)), message.id


def test_crisis_numbers_are_in_every_translation():
    for language in LANGUAGES:
        texts = " ".join(m.string for m in catalog(language) if isinstance(m.string, str))
        for number in ("112", "0800-2000", "113", "0800-0113"):
            assert number in texts, f"{number} missing in {language}"


def test_arabic_has_six_plural_forms():
    assert catalog("ar").num_plurals == 6


@pytest.mark.parametrize(
    "language, n, expected",
    [("nl", 1, "over 1 uur"), ("nl", 16, "over 16 uur")],
)
def test_dutch_plural_fills_the_number(language, n, expected):
    assert i18n.ngettext("over {n} uur", "over {n} uur", n, language) == expected


def test_arabic_plural_rule_picks_the_six_cldr_forms():
    """zero, one, two, few (3-10), many (11-99), other (100-102)."""
    from gettext import c2py

    rule = c2py(catalog("ar").plural_expr)
    assert [rule(n) for n in (0, 1, 2, 5, 11, 99, 100, 102, 103, 111)] == [0, 1, 2, 3, 4, 4, 5, 5, 3, 4]


def test_arabic_plural_forms_differ_by_number():
    """1, 2, 3-10, 11-99 and 100 hours take different Arabic forms, each with the number."""
    forms = {n: i18n.ngettext("over {n} uur", "over {n} uur", n, "ar") for n in (1, 2, 5, 11, 100)}
    for n, text in forms.items():
        assert str(n) in text
    shapes = {text.replace(str(n), "#") for n, text in forms.items()}
    assert len(shapes) >= 3, forms


def test_dates_and_times_follow_the_locale():
    from datetime import datetime

    from bot.clock import AMSTERDAM

    monday = datetime(2026, 11, 30, 9, 0, tzinfo=AMSTERDAM)
    assert i18n.format_day(monday, "nl") == "maandag 30 november 2026"
    assert "Pazartesi" in i18n.format_day(monday, "tr")
    assert "الاثنين" in i18n.format_day(monday, "ar")
    assert "djaluna" in i18n.format_day(monday, "pap")
    assert i18n.format_clock(monday, "ar") == "09:00"


def test_arabic_text_is_marked_rtl_with_isolated_latin_runs():
    shown = i18n.for_display("ar", "اتصل بـ Veilig Thuis على الرقم 0800-2000")
    assert shown.startswith(i18n.RLM)
    assert f"{i18n.LRI}Veilig Thuis{i18n.PDI}" in shown
    assert f"{i18n.LRI}0800-2000{i18n.PDI}" in shown
    assert i18n.for_display("tr", "0800-2000") == "0800-2000"


def test_domain_responses_render_in_every_language():
    import glob

    texts = []
    for path in glob.glob(str(CATALOGS.parent / "domain" / "*.yml")):
        for variations in (yaml.safe_load(open(path)).get("responses") or {}).values():
            texts += [v["text"] for v in variations if v.get("text")]
    assert texts
    for language in ("tr", "ar", "pap"):
        for text in texts:
            assert i18n.gettext(language, text) != text, f"{language}: {text[:40]}"


def test_content_review_is_complete_and_up_to_date():
    """docs/content.md: every answer with a back-translation per language (`wijkbrug content-review`)."""
    from bot import content_review

    assert content_review.missing_back_translations() == {}
    assert content_review.REVIEW.read_text(encoding="utf-8") == content_review.render(), (
        "docs/content.md is out of date: run `wijkbrug content-review`"
    )
