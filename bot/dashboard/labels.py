"""Dutch source texts for the dashboard's statuses, topics and kinds of person (translated
by the catalogs like every other text), and short human durations."""

from __future__ import annotations

from datetime import timedelta

from bot import i18n
from bot.i18n import _

STATUS = {
    "requested": _("wacht op een persoon"),
    "offered": _("aangeboden"),
    "accepted": _("aangenomen"),
    "assigned": _("toegewezen"),
    "contacted": _("contact gehad"),
    "closed": _("afgerond"),
    "cancelled": _("ingetrokken"),
    "declined": _("afgeslagen"),
    "expired": _("verlopen"),
    "relay_started": _("chat via de bot gestart"),
    "relay_ended": _("chat via de bot gestopt"),
    "feedback": _("beoordeling van de bewoner"),
    "moved_to_telegram": _("verder op Telegram"),
}
TOPIC = {
    "money": _("geld"),
    "parenting": _("opvoeden"),
    "housing": _("wonen"),
    "health": _("gezondheid"),
    "loneliness": _("eenzaamheid"),
    "care": _("zorg"),
    "paperwork": _("brieven en formulieren"),
    "work": _("werk"),
    "": _("niet bekend"),
}
PERSON_KIND = {"volunteer": _("vrijwilliger"), "contact": _("medewerker"), "staff": _("wijkteam")}
CONTACT_BY = {"phone": _("bellen"), "chat": _("via de chat")}
PREFERENCE = {"volunteer": _("een vrijwilliger"), "professional": _("een medewerker")}
DAYS_HOURS = _("{days} d {hours} u")
HOURS_MINUTES = _("{hours} u {minutes} min")
MINUTES = _("{minutes} min")


def translated(table: dict, key: str | None, language: str) -> str:
    return i18n.gettext(language, table.get(key or "", key or ""))


def duration(span: timedelta, language: str) -> str:
    minutes = max(0, int(span.total_seconds() // 60))
    days, hours = minutes // 1440, minutes % 1440 // 60
    if days:
        text, values = DAYS_HOURS, {"days": days, "hours": hours}
    elif minutes >= 60:
        text, values = HOURS_MINUTES, {"hours": minutes // 60, "minutes": minutes % 60}
    else:
        text, values = MINUTES, {"minutes": minutes}
    return i18n.translate(language, text, **values)
