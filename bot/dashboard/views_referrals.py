"""Referral pages: the open requests by urgency and waiting time, one request's consented
summary and history, and the team's follow-up (take, assign, contacted, close)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import List

from sanic import Sanic, response
from sanic.request import Request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot import clock, i18n
from bot.dashboard import labels, scope, web
from bot.handoff import referrals
from bot.handoff.referrals import ENDED, OPEN
from bot.i18n import _
from bot.store.tables import PERSON_MODELS, Referral, StaffAccount, aware

URGENT_WITHIN = timedelta(hours=2)
DONE = {
    "taken": _("U heeft aanvraag #{id} aangenomen."),
    "assigned": _("Aanvraag #{id} is toegewezen."),
    "contacted": _("Genoteerd: er is contact geweest over aanvraag #{id}."),
    "closed": _("Aanvraag #{id} is afgerond."),
}
NOT_ALLOWED = _("Dat kan niet (meer): de aanvraag is intussen veranderd. Bekijk de geschiedenis.")


def urgency(referral: Referral, now: datetime) -> str:
    """urgent: nobody has it yet and the resident's window starts within two hours (or has
    started); waiting: nobody has it yet; taken: a person has it."""
    if referral.status in ("requested", "offered"):
        return "urgent" if aware(referral.window_start) <= now + URGENT_WITHIN else "waiting"
    return "taken"


def _order(referral: Referral, now: datetime):
    rank = {"urgent": 0, "waiting": 1, "taken": 2}[urgency(referral, now)]
    return rank, aware(referral.window_start), aware(referral.created_at)


def person_names(session, people) -> dict:
    """{(kind, id): name} for many people in one query per kind (a list page of 500
    requests would otherwise look up its people one by one)."""
    names = {}
    models = {**PERSON_MODELS, "staff": StaffAccount}
    for kind, model in models.items():
        ids = {pid for k, pid in people if k == kind and pid is not None}
        if ids:
            names.update({(kind, pid): name for pid, name in
                          session.execute(select(model.id, model.name).where(model.id.in_(ids)))})
    return names


def row(referral: Referral, now: datetime, language: str, names: dict) -> dict:
    return {
        "id": referral.id,
        "urgency": urgency(referral, now),
        "waiting": labels.duration(now - aware(referral.consent_at), language),
        "language": i18n.ENDONYMS.get(referral.language, referral.language),
        "topic": labels.translated(labels.TOPIC, referral.category, language),
        "status": referral.status,
        "status_label": labels.translated(labels.STATUS, referral.status, language),
        "window": i18n.format_span(aware(referral.window_start), aware(referral.window_end), language),
        "team": referral.team.name,
        "person": names.get((referral.assignee_kind, referral.assignee_id), ""),
        "expires": (i18n.format_moment(aware(referral.offer_expires_at), language, now)
                    if referral.offer_expires_at else ""),
    }


ENDED_SHOWN = 500  # the most recently ended; older ones are in the CSV export


def visible(session, account, show: str, team_id: int | None) -> List[Referral]:
    """Every open request of the visible teams (none may drop off the list), or the most
    recently ended ones."""
    teams = scope.team_ids(session, account)
    if team_id is not None:
        teams = [t for t in teams if t == team_id]
    query = (select(Referral).where(Referral.team_id.in_(teams))
             .options(selectinload(Referral.team)).order_by(Referral.updated_at.desc()))
    if show == "ended":
        return session.execute(query.where(Referral.status.in_(ENDED)).limit(ENDED_SHOWN)).scalars().all()
    return session.execute(query.where(Referral.status.in_(OPEN))).scalars().all()


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def candidates(session, account, referral: Referral) -> List[dict]:
    """Whom the team can give the request to: the team's contacts and its volunteers,
    those who speak the resident's language first."""
    people = [("contact", c) for c in scope.contacts(session, account) if c.team_id == referral.team_id]
    people += [("volunteer", v) for v in scope.volunteers(session, account)
               if any(t.id == referral.team_id for t in v.teams)]
    options = [{"value": f"{kind}:{p.id}", "name": p.name, "kind": kind, "languages": p.languages,
                "speaks": referral.language in p.languages.split()}
               for kind, p in people if p.active]
    return sorted(options, key=lambda o: (not o["speaks"], o["name"]))


def register(app: Sanic) -> None:
    @app.get("/referrals")
    @web.staff_page()
    async def referral_list(request: Request):
        session, account = request.ctx.session, request.ctx.who.account
        language, now = account.language, clock.now()
        show = "ended" if request.args.get("show") == "ended" else "open"
        team_id = _int(request.args.get("team"))
        found = visible(session, account, show, team_id)
        if show == "open":
            found = sorted(found, key=lambda r: _order(r, now))
        names = person_names(session, {(r.assignee_kind, r.assignee_id) for r in found})
        return web.page(request, "referrals.html", rows=[row(r, now, language, names) for r in found],
                        show=show, teams=scope.teams(session, account), team_id=team_id)

    @app.get("/referrals/<referral_id:int>")
    @web.staff_page()
    async def referral_page(request: Request, referral_id: int):
        session, account = request.ctx.session, request.ctx.who.account
        referral = scope.referral(session, account, referral_id)
        if referral is None:
            return web.error_page(request, 404, "not_found")
        language, now = account.language, clock.now()
        names = person_names(session, {(referral.assignee_kind, referral.assignee_id)}
                             | {(e.person_kind, e.person_id) for e in referral.history})
        history = [{
            "at": i18n.format_moment(aware(event.at), language, now),
            "status": labels.translated(labels.STATUS, event.status, language),
            "who": names.get((event.person_kind, event.person_id), ""),
            "kind": labels.translated(labels.PERSON_KIND, event.person_kind, language) if event.person_kind else "",
            "note": event.note,
        } for event in referral.history]
        return web.page(
            request, "referral.html", r=row(referral, now, language, names), referral=referral,
            summary={
                "topic": referral.topic,
                "preference": labels.translated(labels.PREFERENCE, referral.preference, language),
                "contact_by": labels.translated(labels.CONTACT_BY, referral.contact_by, language),
                "phone": referral.phone if referral.contact_by == "phone" else "",
                "consent": i18n.format_moment(aware(referral.consent_at), language, now),
            },
            history=history, candidates=candidates(session, account, referral),
            can_take=bool(account.contact_id) and referral.status in ("requested", "offered"),
            error=NOT_ALLOWED if request.args.get("error") == "not_allowed" else None,
            done=DONE.get(request.args.get("done", "")),
        )

    async def act(request: Request, referral_id: int, action) -> response.HTTPResponse:
        session, account = request.ctx.session, request.ctx.who.account
        referral = scope.referral(session, account, referral_id)
        if referral is None:
            return web.error_page(request, 404, "not_found")
        note = (request.form.get("note") or "").strip()[:500]
        try:
            done = action(session, account, note)
        except referrals.NotAllowed:
            session.rollback()
            return response.redirect(f"/referrals/{referral_id}?error=not_allowed")
        return response.redirect(f"/referrals/{referral_id}?done={done}")

    @app.post("/referrals/<referral_id:int>/take")
    @web.staff_page()
    async def take(request: Request, referral_id: int):
        def action(session, account, note):
            if not account.contact_id:
                raise referrals.NotAllowed("this account is not linked to a contact")
            referrals.assign(session, referral_id, ("contact", account.contact_id), clock.now(),
                             (account.id, account.name), note)
            return "taken"
        return await act(request, referral_id, action)

    @app.post("/referrals/<referral_id:int>/assign")
    @web.staff_page()
    async def assign(request: Request, referral_id: int):
        def action(session, account, note):
            kind, _sep, number = (request.form.get("person") or "").partition(":")
            referral = session.get(Referral, referral_id)
            allowed = {o["value"] for o in candidates(session, account, referral)}
            if f"{kind}:{number}" not in allowed:
                raise referrals.NotAllowed("not a person of this team")
            referrals.assign(session, referral_id, (kind, int(number)), clock.now(),
                             (account.id, account.name), note)
            return "assigned"
        return await act(request, referral_id, action)

    @app.post("/referrals/<referral_id:int>/contacted")
    @web.staff_page()
    async def contacted(request: Request, referral_id: int):
        def action(session, account, note):
            referrals.contacted_by_team(session, referral_id, account.id, clock.now(), note)
            return "contacted"
        return await act(request, referral_id, action)

    @app.post("/referrals/<referral_id:int>/close")
    @web.staff_page()
    async def close(request: Request, referral_id: int):
        def action(session, account, note):
            referrals.close_by_team(session, referral_id, account.id, clock.now(), note)
            return "closed"
        return await act(request, referral_id, action)
