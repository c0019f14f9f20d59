"""The dashboard's login limits under attack (a real `wijkbrug dashboard` of its own, since
these tests lock addresses out): parallel guesses, and a forged X-Forwarded-For."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bot.client_address import client_address, parse_networks
from bot.dashboard import auth
from tests.dashboard_fixtures import login_token, start_dashboard

PROXY = "192.0.2.10"  # the only address allowed to name clients; the tests come from 127.0.0.1


@pytest.fixture(scope="module")
def dashboard(test_env, tmp_path_factory):
    server, info = start_dashboard(test_env, tmp_path_factory.mktemp("dashboard-limits"), TRUSTED_PROXIES=PROXY)
    with server:
        yield info


def wrong_login(url, username, headers=None):
    browser = requests.Session()
    return browser.post(url + "/login", headers=headers or {}, data={
        "login_token": login_token(browser, url), "username": username, "password": "wrong-password"}).status_code


def test_thirty_parallel_guesses_for_one_user_get_five_tries(dashboard):
    with ThreadPoolExecutor(max_workers=30) as pool:
        codes = list(pool.map(lambda _: wrong_login(dashboard.url, "tom"), range(30)))
    # Never more tries than the limit (before: 9); guesses at the very same moment may count
    # each other and lock one another out a little early, the safe side.
    assert codes.count(401) <= auth.MAX_FAILURES_PER_USER, codes
    assert codes.count(401) + codes.count(429) == 30


def test_a_forged_forwarded_address_does_not_escape_the_address_limit(dashboard):
    """Every guess claims another client address; the peer is no trusted proxy, so all count
    for the peer: after 20 failures from it (some may be tom's above) any username is locked."""
    codes = [wrong_login(dashboard.url, f"guess{i}", {"X-Forwarded-For": f"203.0.113.{i}"})
             for i in range(auth.MAX_FAILURES_PER_ADDRESS + 5)]
    assert codes == sorted(codes) and codes[-5:] == [429] * 5, codes  # 401s, then only 429s
    assert 0 < codes.count(401) <= auth.MAX_FAILURES_PER_ADDRESS


def test_forwarded_for_is_read_only_from_a_trusted_proxy():
    trusted = parse_networks("10.0.0.0/8, 192.0.2.10")
    assert client_address("198.51.100.7", "1.2.3.4", trusted) == "198.51.100.7"  # not our proxy
    assert client_address("192.0.2.10", "198.51.100.7", trusted) == "198.51.100.7"
    # A client's own X-Forwarded-For stands left of what our proxies appended: never believed.
    assert client_address("192.0.2.10", "1.2.3.4, 198.51.100.7, 10.0.0.5", trusted) == "198.51.100.7"
    assert client_address("192.0.2.10", "garbage", trusted) == "192.0.2.10"
    assert client_address("192.0.2.10", None, trusted) == "192.0.2.10"
    assert client_address("192.0.2.10", "198.51.100.7", ()) == "192.0.2.10"  # nothing trusted
    with pytest.raises(SystemExit):
        parse_networks("localhost")


def test_the_old_setting_that_trusted_everyone_is_refused(monkeypatch):
    from bot import settings

    monkeypatch.setenv("DASHBOARD_PROXIES", "1")
    with pytest.raises(SystemExit, match="TRUSTED_PROXIES"):
        settings.load()
