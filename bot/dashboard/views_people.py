"""Volunteers and contacts: languages, availability, open handoffs. A coordinator edits
them (languages, active, weekly windows, teams, maximum open handoffs) and creates the
one-time invite code that links their Telegram account."""

from __future__ import annotations

import re

from sanic import Sanic, response
from sanic.request import Request

from bot import clock, i18n
from bot.dashboard import scope, web
from bot.handoff import accounts, availability, matching
from bot.i18n import _
from bot.store.tables import Schedule, Volunteer

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
SAVED = _("De wijzigingen zijn opgeslagen.")
BAD_LANGUAGES = _("Talen: schrijf taalcodes met een spatie ertussen, bijvoorbeeld: nl tr ar.")
BAD_WINDOWS = _("Vaste tijden: schrijf bijvoorbeeld ma-vr 18:00-22:00; za 10:00-14:00")
BAD_MAXIMUM = _("Maximaal aantal open aanvragen: een getal van 1 tot 20.")


def summary(session, kind: str, record, now, language: str) -> dict:
    weekly, until = availability.describe(session, (kind, record.id), now)
    return {
        "kind": kind, "id": record.id, "name": record.name, "languages": record.languages.split(),
        "active": record.active, "weekly": weekly,
        "on_call_until": i18n.format_moment(until, language, now) if until else "",
        "linked": bool(record.telegram_chat_id),
        "where": record.organisation.name if kind == "volunteer" else record.team.name,
        "teams": [t.name for t in record.teams] if kind == "volunteer" else [record.team.name],
        "maximum": record.max_open_handoffs if kind == "volunteer" else None,
    }


def register(app: Sanic) -> None:
    @app.get("/people")
    @web.staff_page()
    async def people(request: Request):
        session, account, now = request.ctx.session, request.ctx.who.account, clock.now()
        busy = {kind: matching.open_handoffs(session, kind) for kind in ("volunteer", "contact")}
        rows = [dict(summary(session, "volunteer", v, now, account.language), open=busy["volunteer"].get(v.id, 0))
                for v in scope.volunteers(session, account)]
        rows += [dict(summary(session, "contact", c, now, account.language), open=busy["contact"].get(c.id, 0))
                 for c in scope.contacts(session, account)]
        return web.page(request, "people.html", rows=rows)

    @app.get("/people/<kind:volunteer|contact>/<person_id:int>")
    @web.staff_page(coordinator_only=True)
    async def person_form(request: Request, kind: str, person_id: int):
        return _form(request, kind, person_id)

    @app.post("/people/<kind:volunteer|contact>/<person_id:int>")
    @web.staff_page(coordinator_only=True)
    async def person_save(request: Request, kind: str, person_id: int):
        session, account = request.ctx.session, request.ctx.who.account
        record = scope.person(session, account, kind, int(person_id))
        if record is None:
            return web.error_page(request, 404, "not_found")
        form = request.form
        errors = []
        codes = (form.get("languages") or "").lower().split()
        if not codes or not all(LANGUAGE_CODE.match(c) for c in codes):
            errors.append(BAD_LANGUAGES)
        weekly_text = (form.get("weekly") or "").strip()
        try:
            windows = availability.weekly_windows(weekly_text) if weekly_text else []
        except availability.NotUnderstood:
            errors.append(BAD_WINDOWS)
        maximum = None
        if kind == "volunteer":
            try:
                maximum = int(form.get("maximum") or "")
                if not 1 <= maximum <= 20:
                    raise ValueError
            except ValueError:
                errors.append(BAD_MAXIMUM)
        if errors:
            return _form(request, kind, person_id, errors=errors, status=400)
        record.languages = " ".join(dict.fromkeys(codes))
        record.active = form.get("active") == "on"
        record.availability = [Schedule(weekday=w.weekday, start_minute=w.start_minute, end_minute=w.end_minute)
                               for w in windows]
        if kind == "volunteer":
            record.max_open_handoffs = maximum
            chosen = set(form.getlist("teams") or [])
            visible = scope.teams(session, account)
            # Teams outside this coordinator's municipality stay as they were.
            kept = [t for t in record.teams if t not in visible]
            record.teams = kept + [t for t in visible if str(t.id) in chosen]
        return response.redirect(f"/people/{kind}/{person_id}?notice=saved")

    @app.post("/people/<kind:volunteer|contact>/<person_id:int>/invite")
    @web.staff_page(coordinator_only=True)
    async def invite(request: Request, kind: str, person_id: int):
        session, account = request.ctx.session, request.ctx.who.account
        if scope.person(session, account, kind, int(person_id)) is None:
            return web.error_page(request, 404, "not_found")
        code = accounts.create_invite(session, kind, person_id, clock.now())
        # Shown once, on this response only; the database keeps a hash.
        return _form(request, kind, person_id, invite_code=code)


def _form(request: Request, kind: str, person_id: int, errors=(), status: int = 200, invite_code: str = ""):
    session, account, now = request.ctx.session, request.ctx.who.account, clock.now()
    record = scope.person(session, account, kind, int(person_id))  # sanic-routing passes a str here
    if record is None:
        return web.error_page(request, 404, "not_found")
    person = summary(session, kind, record, now, account.language)
    return web.page(
        request, "person.html", status=status, person=person, errors=errors, invite_code=invite_code,
        weekly_text=request.form.get("weekly") if errors else "; ".join(person["weekly"]),
        languages_text=request.form.get("languages") if errors else record.languages,
        teams=scope.teams(session, account) if kind == "volunteer" else [],
        team_ids={t.id for t in record.teams} if isinstance(record, Volunteer) else set(),
        saved=SAVED if request.args.get("notice") == "saved" else "",
        bot_username=web.settings(request).telegram_bot_username,
    )
