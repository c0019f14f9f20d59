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


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete_and_not_fuzzy(language, tmp_path):
    messages = {m.id: m for m in catalog(language) if m.id}
    missing = template_ids(tmp_path) - set(messages)
    assert not missing, f"run `make extract` and translate: {sorted(missing)[:3]}"
    untranslated = [m.id for m in messages.values() if not m.string]
    fuzzy = [m.id for m in messages.values() if m.fuzzy]
    assert not untranslated, f"{language}: untranslated {untranslated[:3]}"
    assert not fuzzy, f"{language}: fuzzy {fuzzy[:3]}"


@pytest.mark.parametrize("language", ["tr", "ar", "pap"])
def test_translations_are_not_copies_of_the_dutch(language):
    same = [m.id for m in catalog(language) if m.id and m.string == m.id]
    assert not same, f"{language}: not translated but copied: {same[:3]}"


@pytest.mark.parametrize("language", ["tr", "ar", "pap"])
def test_placeholders_survive_translation(language):
    import re

    for message in catalog(language):
        if message.id and message.string:
            placeholders = set(re.findall(r"\{\w+\}", message.id))
            assert placeholders == set(re.findall(r"\{\w+\}", message.string)), message.id


def test_crisis_numbers_are_in_every_translation():
    for language in LANGUAGES:
        texts = " ".join(m.string for m in catalog(language) if m.string)
        for number in ("112", "0800-2000", "113", "0800-0113"):
            assert number in texts, f"{number} missing in {language}"


def test_arabic_has_six_plural_forms():
    assert catalog("ar").num_plurals == 6


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
