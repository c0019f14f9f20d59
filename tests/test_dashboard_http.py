"""The dashboard over HTTP (a real `wijkbrug dashboard` process): login, authorisation by
team and role, CSRF protection, the login rate limit, the follow-up of a request, people,
reach figures and CSV exports."""

import csv
import io
import re

import pytest
import requests
from sqlalchemy import select

from bot.handoff import accounts
from bot.store.database import session_scope
from bot.store.tables import Contact, OutboxMessage, Referral, Volunteer
from tests.dashboard_fixtures import PASSWORD, csrf_of, login_token, start_dashboard


@pytest.fixture(scope="module")
def dashboard(test_env, tmp_path_factory):
    server, info = start_dashboard(test_env, tmp_path_factory.mktemp("dashboard"))
    with server:
        yield info


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def status_of(dashboard, referral_id):
    with session_scope(dashboard.database) as session:
        found = session.get(Referral, referral_id)
        return found.status, [e.status for e in found.history]


# --- login --------------------------------------------------------------------------------

def test_pages_need_a_login_and_the_session_cookie_is_locked_down(dashboard):
    anonymous = requests.get(dashboard.url + "/referrals", allow_redirects=False)
    assert anonymous.status_code == 302 and anonymous.headers["Location"] == "/login?next=/referrals"
    assert requests.get(dashboard.url + "/figures.csv", allow_redirects=False).status_code == 302
    browser = dashboard.login("hatice")
    cookie = next(c for c in browser.cookies if c.name == "wijkbrug_session")
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.get_nonstandard_attr("SameSite") == "Strict"
    page = browser.get(dashboard.url + "/referrals")
    assert page.status_code == 200 and "Hatice" in page.text
    for header, value in (("Content-Security-Policy", "default-src 'self'"), ("X-Frame-Options", "DENY"),
                          ("Cache-Control", "no-store")):
        assert value in page.headers[header]


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(dashboard):
    browser = requests.Session()
    for username in ("hatice", "no-such-user"):
        reply = browser.post(dashboard.url + "/login", data={
            "login_token": login_token(browser, dashboard.url), "username": username, "password": "wrong-password"})
        assert reply.status_code == 401
        assert "Gebruikersnaam of wachtwoord klopt niet." in reply.text
        assert "wijkbrug_session" not in browser.cookies


def test_login_rate_limit_locks_the_username_even_for_the_right_password(dashboard):
    browser = requests.Session()
    codes = []
    for _ in range(6):
        codes.append(browser.post(dashboard.url + "/login", data={
            "login_token": login_token(browser, dashboard.url), "username": "sanne", "password": "guess-guess"}).status_code)
    assert codes == [401] * 5 + [429]
    locked = browser.post(dashboard.url + "/login", data={
        "login_token": login_token(browser, dashboard.url), "username": "sanne", "password": PASSWORD})
    assert locked.status_code == 429 and 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert "Te veel mislukte pogingen" in locked.text
    assert dashboard.login("coord")  # other accounts are not locked out


def test_login_form_without_its_token_is_refused(dashboard):
    reply = requests.post(dashboard.url + "/login", data={"username": "hatice", "password": PASSWORD})
    assert reply.status_code == 403 and "wijkbrug_session" not in reply.cookies


def test_logout_ends_the_session_on_the_server(dashboard):
    browser = dashboard.login("hatice")
    token = browser.cookies["wijkbrug_session"]
    page = browser.get(dashboard.url + "/referrals")
    browser.post(dashboard.url + "/logout", data={"csrf": csrf_of(page.text)}, allow_redirects=False)
    replay = requests.get(dashboard.url + "/referrals", cookies={"wijkbrug_session": token}, allow_redirects=False)
    assert replay.status_code == 302  # the old cookie opens nothing


def test_login_next_cannot_send_people_to_another_site(dashboard):
    browser = requests.Session()
    browser.headers["Origin"] = dashboard.url
    reply = browser.post(dashboard.url + "/login", data={
        "login_token": login_token(browser, dashboard.url), "username": "coord", "password": PASSWORD,
        "next": "//evil.example/phish"}, allow_redirects=False)
    assert reply.status_code == 302 and reply.headers["Location"] == "/referrals"


# --- authorisation --------------------------------------------------------------------------

def test_a_member_sees_only_their_own_teams_requests(dashboard):
    page = text_of(dashboard.login("hatice").get(dashboard.url + "/referrals").text)
    assert f"#{dashboard.ids['west_tr']}" in page and f"#{dashboard.ids['west_ar']}" in page
    assert f"#{dashboard.ids['oost_nl']}" not in page
    coordinator = text_of(dashboard.login("coord").get(dashboard.url + "/referrals").text)
    assert all(f"#{rid}" in coordinator for rid in dashboard.ids.values())


def test_another_teams_request_by_id_is_not_found_for_reading_and_for_changing(dashboard):
    tom = dashboard.login("tom")
    other = dashboard.ids["west_tr"]
    assert tom.get(f"{dashboard.url}/referrals/{other}").status_code == 404
    assert tom.get(f"{dashboard.url}/referrals/999999").status_code == 404  # same answer as "does not exist"
    csrf = csrf_of(tom.get(dashboard.url + "/referrals").text)
    for action in ("take", "assign", "contacted", "close"):
        reply = tom.post(f"{dashboard.url}/referrals/{other}/{action}", data={"csrf": csrf, "note": "x"})
        assert reply.status_code == 404, action
    assert status_of(dashboard, other)[0] == "offered"  # untouched


def test_a_consented_summary_shows_the_phone_only_when_the_resident_chose_a_call(dashboard):
    hatice = dashboard.login("hatice")
    by_phone = hatice.get(f"{dashboard.url}/referrals/{dashboard.ids['west_tr']}").text
    in_chat = hatice.get(f"{dashboard.url}/referrals/{dashboard.ids['west_ar']}").text
    assert "06 12345678" in by_phone and "kira borcum var, mektuplar" in by_phone
    assert "06 12345678" not in in_chat and "عندي ديون" in in_chat
    assert "resident-2" not in in_chat  # the conversation id is not shown


def test_only_a_coordinator_edits_people(dashboard):
    with session_scope(dashboard.database) as session:
        ayse = session.execute(select(Volunteer.id).where(Volunteer.code == "v-ayse-demir")).scalar_one()
    tom = dashboard.login("tom")
    assert tom.get(f"{dashboard.url}/people/volunteer/{ayse}").status_code == 403
    csrf = csrf_of(tom.get(dashboard.url + "/people").text)
    refused = tom.post(f"{dashboard.url}/people/volunteer/{ayse}", data={"csrf": csrf, "languages": "nl"})
    assert refused.status_code == 403
    assert tom.post(f"{dashboard.url}/people/volunteer/{ayse}/invite", data={"csrf": csrf}).status_code == 403


# --- CSRF ---------------------------------------------------------------------------------------

def test_a_form_post_without_the_right_csrf_token_changes_nothing(dashboard):
    hatice = dashboard.login("hatice")
    rid = dashboard.ids["west_ar"]
    before = status_of(dashboard, rid)
    assert hatice.post(f"{dashboard.url}/referrals/{rid}/close", data={"note": "x"}).status_code == 403
    assert hatice.post(f"{dashboard.url}/referrals/{rid}/close", data={"csrf": "forged", "note": "x"}).status_code == 403
    # A page of another site posting with a stolen-looking token: its Origin gives it away.
    csrf = csrf_of(hatice.get(dashboard.url + "/referrals").text)
    cross_site = hatice.post(f"{dashboard.url}/referrals/{rid}/close", data={"csrf": csrf},
                             headers={"Origin": "https://evil.example"})
    assert cross_site.status_code == 403
    # Another user's token does not work in this session either.
    other = csrf_of(dashboard.login("coord").get(dashboard.url + "/referrals").text)
    assert hatice.post(f"{dashboard.url}/referrals/{rid}/close", data={"csrf": other}).status_code == 403
    assert status_of(dashboard, rid) == before


# --- follow-up, people, figures -------------------------------------------------------------------

def test_take_mark_contacted_and_close_with_a_note(dashboard):
    hatice = dashboard.login("hatice")
    rid = dashboard.ids["west_tr"]
    page = hatice.get(f"{dashboard.url}/referrals/{rid}").text
    taken = hatice.post(f"{dashboard.url}/referrals/{rid}/take", data={"csrf": csrf_of(page), "note": ""})
    assert taken.status_code == 200 and f"U heeft aanvraag #{rid} aangenomen." in taken.text
    contacted = hatice.post(f"{dashboard.url}/referrals/{rid}/contacted",
                            data={"csrf": csrf_of(taken.text), "note": "gebeld"})
    closed = hatice.post(f"{dashboard.url}/referrals/{rid}/close",
                         data={"csrf": csrf_of(contacted.text), "note": "doorverwezen naar schuldhulp"})
    assert f"Aanvraag #{rid} is afgerond." in closed.text and "doorverwezen naar schuldhulp" in closed.text
    status, history = status_of(dashboard, rid)
    assert status == "closed" and history[-3:] == ["assigned", "contacted", "closed"]
    again = hatice.post(f"{dashboard.url}/referrals/{rid}/close", data={"csrf": csrf_of(closed.text)})
    assert "de aanvraag is intussen veranderd" in again.text  # no crash, a clear message
    with session_scope(dashboard.database) as session:
        told = session.execute(select(OutboxMessage).where(
            OutboxMessage.referral_id == rid, OutboxMessage.recipient_kind == "resident")).scalars().all()
    assert [m.kind for m in told] == ["utter_handoff_accepted"]


def test_assign_offers_only_people_of_the_team(dashboard):
    hatice = dashboard.login("hatice")
    rid = dashboard.ids["west_ar"]
    page = hatice.get(f"{dashboard.url}/referrals/{rid}").text
    with session_scope(dashboard.database) as session:
        tom = session.execute(select(Contact.id).where(Contact.code == "u-oost-tom")).scalar_one()
        sanne = session.execute(select(Contact.id).where(Contact.code == "u-west-sanne")).scalar_one()
    assert f"contact:{tom}" not in page and f"contact:{sanne}" in page
    refused = hatice.post(f"{dashboard.url}/referrals/{rid}/assign", data={"csrf": csrf_of(page), "person": f"contact:{tom}"})
    assert "de aanvraag is intussen veranderd" in refused.text
    done = hatice.post(f"{dashboard.url}/referrals/{rid}/assign", data={"csrf": csrf_of(page), "person": f"contact:{sanne}"})
    assert f"Aanvraag #{rid} is toegewezen." in done.text
    with session_scope(dashboard.database) as session:
        found = session.get(Referral, rid)
        assert (found.status, found.assignee_kind, found.assignee_id) == ("accepted", "contact", sanne)


def test_coordinator_edits_a_volunteer_and_makes_an_invite_code(dashboard):
    coordinator = dashboard.login("coord")
    with session_scope(dashboard.database) as session:
        ayse = session.execute(select(Volunteer).where(Volunteer.code == "v-ayse-demir")).scalar_one()
        team_ids = [str(t.id) for t in ayse.teams]
    form_url = f"{dashboard.url}/people/volunteer/{ayse.id}"
    page = coordinator.get(form_url).text
    bad = coordinator.post(form_url, data={"csrf": csrf_of(page), "languages": "tr nl", "weekly": "elke avond",
                                           "maximum": "3", "active": "on", "teams": team_ids})
    assert bad.status_code == 400 and "Vaste tijden: schrijf bijvoorbeeld" in bad.text
    saved = coordinator.post(form_url, data={"csrf": csrf_of(page), "languages": "tr nl ar",
                                             "weekly": "ma-vr 18:00-22:00; za 10:00-14:00", "maximum": "4",
                                             "active": "on", "teams": team_ids})
    assert "De wijzigingen zijn opgeslagen." in saved.text
    with session_scope(dashboard.database) as session:
        ayse = session.get(Volunteer, ayse.id)
        assert ayse.languages == "tr nl ar" and ayse.max_open_handoffs == 4
        assert sorted((w.weekday, w.start_minute) for w in ayse.availability) == [
            (d, 18 * 60) for d in range(5)] + [(5, 10 * 60)]
    people = coordinator.get(dashboard.url + "/people").text
    assert "ma 18:00-22:00" in people and "Ayşe" in people
    invite = coordinator.post(f"{form_url}/invite", data={"csrf": csrf_of(saved.text)})
    code = re.search(r"/start ([A-Z0-9]{10})", invite.text).group(1)
    with session_scope(dashboard.database) as session:  # the code links a Telegram chat, once
        assert accounts.redeem(session, code, 4242, accounts_now()).name.startswith("Ayşe")
    with session_scope(dashboard.database) as session:
        assert accounts.redeem(session, code, 4343, accounts_now()) is None


def accounts_now():
    from bot.clock import parse_iso
    from tests.dashboard_fixtures import NOW

    return parse_iso(NOW)


def test_figures_page_and_csv_exports_without_personal_data(dashboard):
    coordinator = dashboard.login("coord")
    page = coordinator.get(dashboard.url + "/figures?from=2026-11-01&to=2026-11-30")
    assert page.status_code == 200 and page.text.count("<svg") == 4
    assert re.search(r'id="total">\s*3\s*<', page.text)
    assert re.search(r'id="evening">\s*100%', page.text)  # all three on a Friday evening
    figures_csv = coordinator.get(dashboard.url + "/figures.csv?from=2026-11-01&to=2026-11-30")
    assert figures_csv.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(figures_csv.text)))
    assert ["requests", "total", "3"] in rows and ["when", "weekday_after_17", "3"] in rows
    listing = coordinator.get(dashboard.url + "/referrals.csv?from=2026-11-01&to=2026-11-30").text
    lines = list(csv.reader(io.StringIO(listing)))
    assert lines[0][:3] == ["id", "created", "team"] and len(lines) == 4
    for private in ("06 12345678", "kira borcum", "عندي ديون", "resident-2"):
        assert private not in listing
    member = dashboard.login("tom").get(dashboard.url + "/referrals.csv?from=2026-11-01&to=2026-11-30").text
    assert len(list(csv.reader(io.StringIO(member)))) == 2  # header + Utrecht Oost's one request


def test_csv_cells_that_look_like_formulas_are_quoted():
    from bot.dashboard.views_figures import safe_cell

    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and safe_cell("-1") == "'-1" and safe_cell(12) == "12"


def test_a_dashboard_in_arabic_is_right_to_left(dashboard):
    page = dashboard.login("karim").get(dashboard.url + "/referrals").text
    assert '<html lang="ar" dir="rtl">' in page


def test_static_files_by_name_only(dashboard):
    css = requests.get(dashboard.url + "/static/dashboard.css")
    assert css.status_code == 200 and css.headers["X-Content-Type-Options"] == "nosniff"
    assert css.headers["Content-Type"].startswith("text/css")
    for path in ("/static/%00", "/static/..%2Fapp.py", "/static/%2e%2e/auth.py", "/static/nope.css"):
        assert requests.get(dashboard.url + path).status_code == 404, path  # before: 500 for %00
