"""Dashboard speed over HTTP, with a year's worth of requests in the database.

    .venv/bin/python bench/dashboard.py [--referrals 1000] [--runs 50] [--database URL]

A scratch database (SQLite unless --database names an empty one) gets the sample
directory, a coordinator for Utrecht, a team member of Utrecht West and N requests
spread over the last twelve weeks across Utrecht's teams, languages and topics (some
taken, contacted and closed). `wijkbrug dashboard` runs as its own process; each page is
fetched `--runs` times by a logged-in client and timed from request to the last byte.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "bench-password-123"
NOW = "2026-11-27T21:45"


def fill(url: str, count: int, var: Path) -> None:
    from bot import settings as settings_module
    from bot.clock import parse_iso
    from bot.dashboard import staff
    from bot.handoff import referrals
    from bot.handoff.referrals import HandoffRequest
    from bot.store.database import session_scope
    from bot.store.prepare import prepare
    from bot.store.tables import PostcodeRange, Team

    settings = dataclasses.replace(settings_module.load(), var_dir=var, database_url=url)
    prepare(settings)
    now = parse_iso(NOW)
    rng = random.Random(11)
    with session_scope(url) as session:
        staff.create(session, username="coord", name="Coord", role="coordinator", password=PASSWORD,
                     municipality="utrecht", team=None, contact=None, language="nl", now=now)
        staff.create(session, username="member", name="Member", role="member", password=PASSWORD,
                     municipality="utrecht", team="utrecht-west", contact="u-west-hatice", language="nl", now=now)
        postcodes = [str(r.first) for r in session.query(PostcodeRange).join(Team)
                     .filter(Team.code.like("utrecht%"))]
    from bot.dashboard import auth

    with session_scope(url) as session:
        member = auth.find_account(session, "member")
        who = (member.id, member.name)
    for number in range(count):
        made = now - timedelta(minutes=rng.randint(10, 12 * 7 * 24 * 60))
        with session_scope(url) as session:
            outcome = referrals.create(session, HandoffRequest(
                conversation=f"bench-{number}", channel="rest", language=rng.choice(["nl", "tr", "ar", "pap"]),
                topic="bench request", category=rng.choice(["money", "parenting", "housing", "health", None]),
                preference=rng.choice(["volunteer", "professional"]), contact_by="phone", phone="06 12345678",
                window=rng.choice(["now", "tonight", "tomorrow", "weekend"]), postcode=rng.choice(postcodes),
            ), made, settings)
            referral = outcome.referral
            if referral is not None and rng.random() < 0.6 and referral.status in ("requested", "offered"):
                contact = next((c for c in referral.team.contacts), None)
                if contact is not None:
                    referrals.assign(session, referral.id, ("contact", contact.id), made + timedelta(minutes=30), who)
                    if rng.random() < 0.7:
                        referrals.contacted_by_team(session, referral.id, who[0], made + timedelta(hours=3))
                        if rng.random() < 0.7:
                            referrals.close_by_team(session, referral.id, who[0], made + timedelta(days=2))


def login(base: str, username: str):
    import requests

    client = requests.Session()
    client.headers["Origin"] = base
    token = re.search(r'name="login_token" value="([^"]+)"', client.get(base + "/login").text).group(1)
    t0 = time.perf_counter()
    reply = client.post(base + "/login", data={"login_token": token, "username": username, "password": PASSWORD})
    elapsed = (time.perf_counter() - t0) * 1000
    assert reply.status_code == 200 and "Uitloggen" in reply.text, reply.status_code
    return client, elapsed


def timed(client, url: str, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        reply = client.get(url)
        timings.append((time.perf_counter() - t0) * 1000)
        assert reply.status_code == 200, (url, reply.status_code)
    return timings


def main() -> int:
    from bot.evaluation import percentile
    from bot.processes import wait_for_http

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--database", help="an EMPTY database URL (default: a scratch SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        var = Path(scratch)
        url = args.database or f"sqlite:///{var / 'wijkbrug.db'}"
        t0 = time.perf_counter()
        fill(url, args.referrals, var)
        print(f"filled {args.referrals} requests in {time.perf_counter() - t0:.1f} s")
        port = 5390
        env = dict(os.environ, WIJKBRUG_VAR=str(var), DATABASE_URL=url, WIJKBRUG_NOW=NOW)
        server = subprocess.Popen([sys.executable, "-m", "bot.cli", "dashboard", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for_http(base + "/health", server)
            logins = [login(base, "coord")[1] for _ in range(10)]
            coordinator, _ = login(base, "coord")
            member, _ = login(base, "member")
            own = member.get(base + "/referrals").text
            some_id = re.search(r'data-referral="(\d+)"', own).group(1)
            print(f"open requests listed: team member {own.count('data-referral=')}, coordinator "
                  f"{coordinator.get(base + '/referrals').text.count('data-referral=')}")
            pages = [
                ("login (argon2id verify + new session)", logins),
                ("/referrals, team member (own team's open requests)", timed(member, base + "/referrals", args.runs)),
                ("/referrals, coordinator (all of Utrecht, open)", timed(coordinator, base + "/referrals", args.runs)),
                ("/referrals/N (summary and history)", timed(member, f"{base}/referrals/{some_id}", args.runs)),
                ("/figures, coordinator, 12 weeks", timed(coordinator, base + "/figures", args.runs)),
                ("/referrals.csv, coordinator, 12 weeks", timed(coordinator, base + "/referrals.csv", args.runs)),
            ]
        finally:
            server.terminate()
            server.wait(timeout=10)
    for name, values in pages:
        print(f"{name:<55} p50 {percentile(values, 0.5):6.1f} ms  p95 {percentile(values, 0.95):6.1f} ms  (n={len(values)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
