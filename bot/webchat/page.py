"""The web chat page: its own texts come from the Babel catalogs, in all four languages,
so the language picker switches them without a reload (webchat.js)."""

from __future__ import annotations

from pathlib import Path

from bot import LANGUAGES, i18n, templating
from bot.i18n import _

FOLDER = Path(__file__).resolve().parent
TEXTS = {
    "title": _("Chat met het wijkteam"),
    "welcome": _("Welkom. Stel uw vraag in uw eigen taal. Uw naam is niet nodig. Bij gevaar: bel 112."),
    "placeholder": _("Typ uw bericht…"),
    "message": _("Bericht"),
    "send": _("Versturen"),
    "typing": _("Even geduld, er komt een antwoord…"),
    "offline": _("Er is nu geen verbinding. Uw bericht is niet verstuurd. Probeer het zo opnieuw."),
    "retry": _("Opnieuw versturen"),
    "privacy": _("Wat u schrijft, gaat alleen naar iemand anders als u daar ja op zegt."),
    "end": _("Gesprek afsluiten"),
    "ended": _("Het gesprek is van dit scherm gewist. Heeft u om hulp gevraagd? Die aanvraag blijft "
               "staan: er wordt contact met u opgenomen zoals afgesproken."),
}


def texts() -> dict:
    return {language: {key: i18n.gettext(language, text) for key, text in TEXTS.items()} for language in LANGUAGES}


def render(language: str | None) -> str:
    return templating.render(FOLDER, "chat.html", language, ui=texts())
