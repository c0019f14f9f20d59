"""A running dashboard (`wijkbrug dashboard`, a real HTTP server) on its own SQLite
database with the sample directory, two Utrecht teams' accounts and a few requests.
Shared by the HTTP tests and the browser tests."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

import requests

from bot import settings as settings_module
from bot.dashboard import staff
from bot.handoff import referrals
from bot.store.database import session_scope
from bot.store.prepare import prepare
from tests.conftest import free_port, wijkbrug_server
from tests.test_referrals import FRIDAY_EVENING, SETTINGS, request

PASSWORD = "lang-genoeg-wachtwoord"
NOW = "2026-11-27T21:45"  # the dashboard's clock: a quarter of an hour after the requests


@dataclass
class Dashboard:
    url: str
    database: str
    log: Path
    ids: dict  # name -> referral id

    def login(self, username: str, password: str = PASSWORD) -> requests.Session:
        browser = requests.Session()
        browser.headers["Origin"] = self.url
        reply = browser.post(self.url + "/login", data={
            "login_token": login_token(browser, self.url), "username": username, "password": password,
        }, allow_redirects=False)
        assert reply.status_code == 302, reply.text[:500]
        return browser


def login_token(browser: requests.Session, url: str) -> str:
    page = browser.get(url + "/login").text
    return re.search(r'name="login_token" value="([^"]+)"', page).group(1)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def add_accounts(database: str) -> None:
    with session_scope(database) as session:
        for username, role, team, contact, language in (
            ("hatice", "member", "utrecht-west", "u-west-hatice", "nl"),  # Utrecht West, also a contact
            ("tom", "member", "utrecht-oost", "u-oost-tom", "nl"),  # Utrecht Oost
            ("coord", "coordinator", None, None, "nl"),  # all of Utrecht
            ("karim", "member", "utrecht-noordwest", None, "ar"),  # reads the dashboard in Arabic
            ("sanne", "member", "utrecht-west", None, "nl"),  # locked out by the rate limit test
        ):
            staff.create(session, username=username, name=username.title(), role=role, password=PASSWORD,
                         municipality="utrecht", team=team, contact=contact, language=language,
                         now=FRIDAY_EVENING)


def add_requests(database: str) -> dict:
    made = {}
    with session_scope(database) as session:
        for name, changes in {
            "west_tr": dict(contact_by="phone", phone="06 12345678", topic="kira borcum var, mektuplar"),
            "west_ar": dict(conversation="resident-2", language="ar", topic="عندي ديون", category="parenting"),
            "oost_nl": dict(conversation="resident-3", language="nl", topic="schulden oost", postcode="3581"),
        }.items():
            made[name] = referrals.create(session, request(**changes), FRIDAY_EVENING, SETTINGS).referral.id
    return made


def start_dashboard(test_env: dict, tmp_path: Path, **extra_env: str):
    """Context manager: the dashboard on a fresh database, ready to log in to."""
    var = tmp_path / "var"
    database = f"sqlite:///{var / 'wijkbrug.db'}"
    env = dict(test_env, WIJKBRUG_VAR=str(var), DATABASE_URL=database, WIJKBRUG_NOW=NOW, **extra_env)
    prepare(dataclasses.replace(settings_module.load(), var_dir=var, database_url=database))
    add_accounts(database)
    ids = add_requests(database)
    port = free_port()
    log = tmp_path / "dashboard.log"
    server = wijkbrug_server(["dashboard", "--port", str(port)], env, log, f"http://127.0.0.1:{port}/health")
    return server, Dashboard(f"http://127.0.0.1:{port}", database, log, ids)
