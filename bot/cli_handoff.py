"""`wijkbrug` commands for the directory and referrals: import, export, volunteers,
referrals, referral (accept/decline/contacted/close for a coordinator), invite, purge."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, List

import yaml
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot import clock
from bot import settings as settings_module
from bot.store.tables import PERSON_MODELS, Referral, Volunteer, aware


def _database() -> str:
    from bot.store.database import migrate

    url = settings_module.load().database_url
    migrate(url)
    return url


def cmd_import(args: argparse.Namespace) -> int:
    from bot.directory import importer
    from bot.store.database import session_scope

    try:
        parsed = importer.parse(args.file)
    except importer.DirectoryError as e:
        print(e, file=sys.stderr)
        return 1
    with session_scope(_database()) as session:
        counts = importer.load(session, parsed)
    print("imported " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from bot.directory import importer
    from bot.store.database import session_scope

    with session_scope(_database()) as session:
        text = yaml.safe_dump(importer.export(session), allow_unicode=True, sort_keys=False, width=100)
    if args.file == "-":
        sys.stdout.write(text)
    else:
        with open(args.file, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"wrote {args.file}", file=sys.stderr)
    return 0


def _assignee(session, referral: Referral) -> Dict[str, Any] | None:
    if referral.assignee_id is None:
        return None
    person = session.get(PERSON_MODELS[referral.assignee_kind], referral.assignee_id)
    return {"kind": referral.assignee_kind, "id": person.id, "name": person.name,
            "languages": person.languages.split()}


def referral_as_dict(session, referral: Referral) -> Dict[str, Any]:
    def moment(value):
        return aware(value).isoformat() if value else None

    return {
        "id": referral.id, "created_at": moment(referral.created_at), "conversation": referral.conversation,
        "channel": referral.channel, "language": referral.language, "topic": referral.topic,
        "category": referral.category, "preference": referral.preference,
        "contact_by": referral.contact_by, "status": referral.status,
        "team": referral.team.code if referral.team else None,
        "window": referral.window_name, "window_start": moment(referral.window_start),
        "window_end": moment(referral.window_end), "consent_at": moment(referral.consent_at),
        "offer_expires_at": moment(referral.offer_expires_at),
        "assignee": _assignee(session, referral),
        "history": [
            {"at": moment(e.at), "status": e.status, "person": f"{e.person_kind}:{e.person_id}" if e.person_id else None,
             "note": e.note}
            for e in referral.history
        ],
    }


def cmd_referrals(args: argparse.Namespace) -> int:
    from bot.store.database import session_scope

    with session_scope(_database()) as session:
        query = select(Referral).options(selectinload(Referral.history), selectinload(Referral.team))
        if args.status:
            query = query.where(Referral.status == args.status)
        rows = [referral_as_dict(session, r) for r in session.execute(query.order_by(Referral.id.desc())).scalars()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for r in rows:
        who = r["assignee"]["name"] if r["assignee"] else "(wachtrij van het team)"
        print(f"#{r['id']:<4} {r['created_at'][:16]}  {r['status']:<9} {r['language']:<3} {r['team']:<28} {who}")
    if not rows:
        print("no referrals")
    return 0


def cmd_volunteers(args: argparse.Namespace) -> int:
    from bot.directory.windows import format_window
    from bot.handoff.matching import open_handoffs
    from bot.store.database import session_scope

    with session_scope(_database()) as session:
        busy = open_handoffs(session, "volunteer")
        volunteers = session.execute(
            select(Volunteer).options(selectinload(Volunteer.teams), selectinload(Volunteer.availability),
                                      selectinload(Volunteer.organisation)).order_by(Volunteer.id)
        ).scalars().all()
        rows: List[Dict[str, Any]] = [
            {"id": v.id, "code": v.code, "name": v.name, "organisation": v.organisation.name,
             "languages": v.languages.split(), "active": v.active, "teams": sorted(t.code for t in v.teams),
             "availability": [format_window(w) for w in sorted(v.availability, key=lambda w: (w.weekday, w.start_minute))],
             "on_call_until": aware(v.on_call_until).isoformat() if v.on_call_until else None,
             "open_handoffs": busy.get(v.id, 0), "max_open_handoffs": v.max_open_handoffs}
            for v in volunteers
        ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for v in rows:
        print(f"{v['id']:<4} {v['name']:<22} {' '.join(v['languages']):<12} {v['open_handoffs']}/{v['max_open_handoffs']}  {v['organisation']}")
    return 0


def _person(session, value: str):
    from bot.handoff.accounts import find_person

    kind, _, code = value.partition(":")
    if kind not in PERSON_MODELS or not code:
        raise SystemExit(f"--by: expected volunteer:CODE or contact:CODE, got {value!r}")
    found = find_person(session, kind, code)
    if found is None:
        raise SystemExit(f"--by: no {kind} with code {code!r}")
    return kind, found.id


def cmd_referral(args: argparse.Namespace) -> int:
    from bot.handoff import referrals
    from bot.store.database import session_scope

    settings = settings_module.load()
    now = clock.parse_iso(args.now) if args.now else clock.now()
    try:
        with session_scope(_database()) as session:
            person = _person(session, args.by)
            if args.action == "accept":
                referrals.accept(session, args.id, person, now)
            elif args.action == "decline":
                referrals.decline(session, args.id, person, now, settings)
            elif args.action == "contacted":
                referrals.mark_contacted(session, args.id, person, now)
            else:
                referrals.close(session, args.id, person, now, args.note or "")
    except referrals.NotAllowed as e:
        print(f"referral {args.id}: {e}", file=sys.stderr)
        return 1
    print(f"referral {args.id}: {args.action} done")
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    from bot.handoff import accounts
    from bot.store.database import session_scope

    kind = "contact" if args.contact else "volunteer"
    with session_scope(_database()) as session:
        person = accounts.find_person(session, kind, args.code)
        if person is None:
            print(f"invite: no {kind} with code {args.code!r} (see `wijkbrug volunteers`)", file=sys.stderr)
            return 1
        code = accounts.create_invite(session, kind, person.id, clock.now())
        name = person.name
    print(f"Invite for {name}, valid {accounts.INVITE_DAYS} days, usable once:")
    print(f"  send the bot on Telegram:  /start {code}")
    return 0


def cmd_resident_export(args: argparse.Namespace) -> int:
    """Everything kept about one resident (a data access request, AVG/GDPR art. 15): the
    conversation as stored and their requests with history."""
    from bot.runtime import resident_conversation
    from bot.store.database import session_scope

    settings = settings_module.load()
    with session_scope(_database()) as session:
        requests = [referral_as_dict(session, r) for r in session.execute(
            select(Referral).where(Referral.conversation == args.sender).order_by(Referral.id)).scalars()]
    conversation = resident_conversation(settings.tracker_store_url, args.sender)
    export = {"resident": args.sender, "exported_at": clock.now().isoformat(),
              "conversation": conversation, "requests": requests}
    text = json.dumps(export, ensure_ascii=False, indent=2)
    if args.file == "-":
        print(text)
    else:
        with open(args.file, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        print(f"wrote {args.file}: {len(conversation)} messages, {len(requests)} request(s)", file=sys.stderr)
    return 0 if conversation or requests else 1


def cmd_purge(args: argparse.Namespace) -> int:
    from bot.handoff import referrals
    from bot.store.database import session_scope

    days = args.days if args.days is not None else settings_module.load().retention_days
    with session_scope(_database()) as session:
        removed = referrals.purge(session, clock.now(), days)
    print(f"purged {removed} referral(s) that ended more than {days} days ago")
    return 0


def add_commands(commands) -> None:
    imp = commands.add_parser("import", help="load a directory YAML file (teams, contacts, volunteers)")
    imp.add_argument("file", help="e.g. data/demo/directory.yml")
    imp.set_defaults(func=cmd_import)

    exp = commands.add_parser("export", help="write the directory as YAML (the format import reads)")
    exp.add_argument("file", nargs="?", default="-", help="file to write (default: stdout)")
    exp.set_defaults(func=cmd_export)

    refs = commands.add_parser("referrals", help="list referrals, newest first")
    refs.add_argument("--json", action="store_true", help="a JSON list")
    refs.add_argument("--status", help="only this status (requested, offered, accepted, ...)")
    refs.set_defaults(func=cmd_referrals)

    vols = commands.add_parser("volunteers", help="list volunteers")
    vols.add_argument("--json", action="store_true", help="a JSON list")
    vols.set_defaults(func=cmd_volunteers)

    one = commands.add_parser("referral", help="accept, decline, mark contacted or close a referral")
    one.add_argument("action", choices=["accept", "decline", "contacted", "close"])
    one.add_argument("id", type=int, help="referral id (see `wijkbrug referrals`)")
    one.add_argument("--by", required=True, help="who: volunteer:CODE or contact:CODE")
    one.add_argument("--note", help="with close: what was done")
    one.add_argument("--now", help="pretend it is this time (ISO-8601)")
    one.set_defaults(func=cmd_referral)

    invite = commands.add_parser("invite", help="a one-time code that links a volunteer's Telegram account")
    invite.add_argument("code", help="the volunteer's code (see `wijkbrug volunteers`), or a contact's with --contact")
    invite.add_argument("--contact", action="store_true", help="CODE is a wijkteam contact's code")
    invite.set_defaults(func=cmd_invite)

    export = commands.add_parser("resident-export", help="everything kept about one resident, as JSON")
    export.add_argument("sender", help="the conversation id: a web chat's web-..., or tg-<chat id> on Telegram")
    export.add_argument("file", nargs="?", default="-", help="output file (default: stdout)")
    export.set_defaults(func=cmd_resident_export)
    purge = commands.add_parser("purge", help="delete referrals that ended before the retention period")
    purge.add_argument("--days", type=int, help="retention in days (RETENTION_DAYS, 90)")
    purge.set_defaults(func=cmd_purge)
