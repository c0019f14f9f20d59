"""Reach figures as charts, and CSV exports (figures, and requests without personal data)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sanic import Sanic, response
from sanic.request import Request
from sqlalchemy import select

from bot import clock, i18n
from bot.dashboard import charts, figures, labels, scope, web
from bot.i18n import _
from bot.store.tables import Referral, aware

DEFAULT_WEEKS = 12
MAX_DAYS = 731
BY_LANGUAGE = _("Aanvragen per taal")
BY_TOPIC = _("Aanvragen per onderwerp")
PER_WEEK = _("Aanvragen per week")
OFFERS = _("Aanbiedingen: aangenomen, afgeslagen, verlopen")


def period(request: Request) -> tuple[date, date]:
    """?from=YYYY-MM-DD&to=YYYY-MM-DD; by default the last twelve weeks up to today."""
    today = clock.now().date()
    try:
        end = date.fromisoformat(request.args.get("to", "")) if request.args.get("to") else today
        start = (date.fromisoformat(request.args.get("from", "")) if request.args.get("from")
                 else end - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1))
    except ValueError:
        end, start = today, today - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1)
    if start > end:
        start, end = end, start
    return max(start, end - timedelta(days=MAX_DAYS)), end


def chosen_teams(request: Request) -> list[int]:
    ids = scope.team_ids(request.ctx.session, request.ctx.who.account)
    try:
        wanted = int(request.args.get("team", ""))
    except ValueError:
        return ids
    return [t for t in ids if t == wanted]


def safe_cell(value) -> str:
    """Spreadsheet programs run cells starting with = + - @ as formulas: quote those."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_response(rows, filename: str) -> response.HTTPResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return response.text(buffer.getvalue(), content_type="text/csv; charset=utf-8",
                         headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def register(app: Sanic) -> None:
    @app.get("/figures")
    @web.staff_page()
    async def figures_page(request: Request):
        session, language = request.ctx.session, request.ctx.who.account.language
        start, end = period(request)
        found = figures.compute(session, chosen_teams(request), start, end)
        say = lambda text: i18n.gettext(language, text)  # noqa: E731
        topic_items = [(labels.translated(labels.TOPIC, k, language), v) for k, v in found.by_topic.items()]
        language_items = [(i18n.ENDONYMS.get(k, k), v) for k, v in found.by_language.items()]
        offer_items = [(labels.translated(labels.STATUS, k, language), v) for k, v in found.offers.items()]
        return web.page(
            request, "figures.html", f=found, start=start, end=end,
            team_id=request.args.get("team", ""), teams=scope.teams(session, request.ctx.who.account),
            query=request.query_string,
            charts={
                "language": charts.bars(language_items, say(BY_LANGUAGE)),
                "topic": charts.bars(topic_items, say(BY_TOPIC)),
                "week": charts.columns(found.per_week, say(PER_WEEK)),
                "offers": charts.bars(offer_items, say(OFFERS)),
            },
            median=_hours(found.contact_median_hours), p90=_hours(found.contact_p90_hours),
        )

    @app.get("/figures.csv")
    @web.staff_page()
    async def figures_csv(request: Request):
        start, end = period(request)
        found = figures.compute(request.ctx.session, chosen_teams(request), start, end)
        rows = [("figure", "key", "value"), ("period", "from", start.isoformat()), ("period", "to", end.isoformat()),
                ("requests", "total", found.total)]
        rows += [("language", k, v) for k, v in found.by_language.items()]
        rows += [("topic", k or "unknown", v) for k, v in found.by_topic.items()]
        rows += [("status", k, v) for k, v in found.by_status.items()]
        rows += [("when", "weekday_after_17", found.evening), ("when", "weekend", found.weekend),
                 ("when", "outside_office_hours", found.outside_office)]
        rows += [("hours_to_first_contact", "n", len(found.hours_to_contact)),
                 ("hours_to_first_contact", "median", _round(found.contact_median_hours)),
                 ("hours_to_first_contact", "p90", _round(found.contact_p90_hours))]
        rows += [("offers", k, v) for k, v in found.offers.items()]
        rows += [("week", k, v) for k, v in found.per_week]
        return csv_response(rows, f"wijkbrug-cijfers-{start}-{end}.csv")

    @app.get("/referrals.csv")
    @web.staff_page()
    async def referrals_csv(request: Request):
        """One line per request, without personal data: no words of the resident, no
        phone number, no conversation id."""
        session = request.ctx.session
        start, end = period(request)
        since, until = figures.bounds(start, end)
        rows = [("id", "created", "team", "language", "topic", "status", "window", "contact_by", "assignee_kind")]
        for r in session.execute(
            select(Referral).where(Referral.team_id.in_(chosen_teams(request)), Referral.created_at >= since,
                                   Referral.created_at < until).order_by(Referral.id)
        ).scalars():
            rows.append((r.id, aware(r.created_at).astimezone(clock.AMSTERDAM).isoformat(timespec="minutes"),
                         r.team.code, r.language, r.category or "", r.status, r.window_name, r.contact_by,
                         r.assignee_kind or ""))
        return csv_response(rows, f"wijkbrug-aanvragen-{start}-{end}.csv")


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _round(value: float | None):
    return "" if value is None else round(value, 2)
