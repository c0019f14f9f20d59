"""`wijkbrug dashboard` (the wijkteam web app) and `wijkbrug staff` (its accounts)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from bot import clock
from bot import settings as settings_module


def cmd_dashboard(args: argparse.Namespace) -> int:
    from bot.dashboard.app import create_app
    from bot.runtime import quiet_libraries

    quiet_libraries()
    settings = settings_module.load()
    host, port = args.host or settings.dashboard_host, args.port or settings.dashboard_port
    app = create_app(settings)

    @app.after_server_start
    async def announce(_app, _loop) -> None:
        print(f"dashboard: http://{host}:{port}/", flush=True)

    app.run(host=host, port=port, workers=1, access_log=False, motd=False)
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("the two passwords differ")
    return first


def cmd_staff(args: argparse.Namespace) -> int:
    from bot.dashboard import staff
    from bot.store.database import migrate, session_scope
    from bot.store.tables import StaffAccount

    url = settings_module.load().database_url
    migrate(url)
    try:
        with session_scope(url) as session:
            if args.action == "add":
                account = staff.create(
                    session, username=args.username, name=args.name or args.username, role=args.role,
                    password=_password(args), municipality=args.municipality, team=args.team,
                    contact=args.contact, language=args.language, now=clock.now())
                print(f"account {account.username} ({account.role}) created")
            elif args.action == "passwd":
                staff.set_password(session, args.username, _password(args))
                print(f"password of {args.username} changed; its sessions are ended")
            elif args.action == "deactivate":
                staff.deactivate(session, args.username)
                print(f"{args.username} can no longer log in")
            else:
                rows = [{"username": a.username, "name": a.name, "role": a.role,
                         "municipality": a.municipality.code, "team": a.team.code if a.team else None,
                         "contact": a.contact.code if a.contact else None, "language": a.language,
                         "active": a.active}
                        for a in session.query(StaffAccount).order_by(StaffAccount.username)]
                if args.json:
                    print(json.dumps(rows, ensure_ascii=False))
                for r in [] if args.json else rows:
                    print(f"{r['username']:<20} {r['role']:<12} {r['team'] or r['municipality']:<28} "
                          f"{'' if r['active'] else '(inactive)'}")
    except staff.AccountError as error:
        print(f"staff {args.action}: {error}", file=sys.stderr)
        return 1
    return 0


def add_commands(commands) -> None:
    dashboard = commands.add_parser("dashboard", help="serve the wijkteam dashboard")
    dashboard.add_argument("--host", help="address (DASHBOARD_HOST, 127.0.0.1)")
    dashboard.add_argument("--port", type=int, help="port (DASHBOARD_PORT, 5006)")
    dashboard.set_defaults(func=cmd_dashboard)

    staff = commands.add_parser("staff", help="dashboard accounts: add, passwd, deactivate, list")
    actions = staff.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="a new account (asks for the password)")
    add.add_argument("username")
    add.add_argument("--name", help="the person's name as shown")
    add.add_argument("--role", choices=["member", "coordinator"], default="member")
    add.add_argument("--municipality", required=True, help="municipality code, e.g. utrecht")
    add.add_argument("--team", help="team code (required for a member), e.g. utrecht-west")
    add.add_argument("--contact", help="their contact code in the directory, so they can take requests")
    add.add_argument("--language", default="nl", help="dashboard language: nl, tr, ar, pap")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    passwd = actions.add_parser("passwd", help="set a new password (ends the account's sessions)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    off = actions.add_parser("deactivate", help="the account can no longer log in")
    off.add_argument("username")
    listing = actions.add_parser("list", help="all accounts")
    listing.add_argument("--json", action="store_true")
    staff.set_defaults(func=cmd_staff)
