"""In a real browser (headless Debian Chromium, driven by Playwright): a team member logs
in to the dashboard, sees only their team's requests, takes one and closes it; a resident
chats in Arabic on the web chat, which is right-to-left and phone-sized, and reaches a
handoff; the widget embeds the chat on another site. Screenshots go to test-artifacts/."""

import http.server
import threading

import pytest
from sqlalchemy import select

from bot import i18n
from bot.content_review import domain_responses
from bot.store.database import session_scope
from bot.store.tables import Referral
from bot.webchat import page as page_texts
from tests.browser import chromium, screenshot, watch_requests
from tests.conftest import free_port, wijkbrug_server
from tests.dashboard_fixtures import PASSWORD, start_dashboard

FRIDAY_EVENING = "2026-11-27T21:30"
DUTCH = domain_responses()
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def browser():
    with chromium() as running:
        yield running


@pytest.fixture(scope="module")
def dashboard(test_env, tmp_path_factory):
    server, info = start_dashboard(test_env, tmp_path_factory.mktemp("browser-dashboard"))
    with server:
        yield info


@pytest.fixture(scope="module")
def embedding_site():
    """Another site (a municipality's page) that is allowed to embed the chat."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def chat_server(test_env, model_paths, tmp_path_factory, embedding_site):
    var = tmp_path_factory.mktemp("browser-chat")
    port = free_port()
    env = dict(test_env, WIJKBRUG_VAR=str(var), TRACKER_STORE_URL=f"sqlite:///{var / 'conversations.db'}",
               WEBCHAT_EMBED_ORIGINS=f"'self' {embedding_site}")
    with wijkbrug_server(["serve", "--in-process-actions", "--port", str(port), "--now", FRIDAY_EVENING], env,
                         var / "serve.log", f"http://127.0.0.1:{port}/health"):
        yield {"url": f"http://127.0.0.1:{port}", "database": f"sqlite:///{var / 'wijkbrug.db'}"}


def test_team_member_logs_in_sees_only_own_team_takes_and_closes_a_request(browser, dashboard):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests_made = watch_requests(page)
    page.goto(dashboard.url + "/referrals")
    assert page.url.startswith(dashboard.url + "/login")
    page.fill("#username", "hatice")
    page.fill("#password", PASSWORD)
    screenshot(page, "dashboard-1-login")
    page.click("button[type=submit]")
    page.wait_for_url(dashboard.url + "/referrals")
    shown = set(page.locator("tr[data-referral]").evaluate_all("rows => rows.map(r => r.dataset.referral)"))
    assert shown == {str(dashboard.ids["west_tr"]), str(dashboard.ids["west_ar"])}  # not Utrecht Oost's
    screenshot(page, "dashboard-2-open-requests")

    rid = dashboard.ids["west_tr"]
    page.click(f"a[href='/referrals/{rid}']")
    assert "kira borcum var, mektuplar" in page.inner_text(".summary")
    page.click("button[name=take]")
    assert f"U heeft aanvraag #{rid} aangenomen." in page.inner_text(".notice")
    page.fill("#close-note", "doorverwezen naar schuldhulp")
    page.click("button[name=close]")
    assert f"Aanvraag #{rid} is afgerond." in page.inner_text(".notice")
    assert "doorverwezen naar schuldhulp" in page.inner_text(".history")
    screenshot(page, "dashboard-3-closed")
    with session_scope(dashboard.database) as session:
        assert session.get(Referral, rid).status == "closed"

    page.goto(dashboard.url + "/figures")
    assert page.locator("svg.chart").count() == 4
    screenshot(page, "dashboard-4-figures")
    assert all(url.startswith(dashboard.url) for url in requests_made), requests_made
    context.close()


def test_a_dashboard_account_in_arabic_gets_a_right_to_left_page(browser, dashboard):
    page = browser.new_page(viewport={"width": 1280, "height": 700})
    page.goto(dashboard.url + "/login")
    page.fill("#username", "karim")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(dashboard.url + "/referrals")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.inner_text("h1") == i18n.gettext("ar", "Open aanvragen")
    # The menu starts at the right edge in right-to-left.
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] > 1280 / 2
    screenshot(page, "dashboard-5-arabic")
    page.close()


def test_arabic_resident_chat_is_right_to_left_phone_sized_and_reaches_a_handoff(browser, chat_server):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    requests_made = watch_requests(page)
    page.goto(chat_server["url"] + "/")
    page.select_option("#language", "ar")
    page.wait_for_selector("li.bot >> nth=1")  # the welcome, then the bot's "Arabic from now on"
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.get_attribute("#text", "placeholder") == i18n.gettext("ar", page_texts.TEXTS["placeholder"])

    def say(text):
        before = page.locator("li.bot").count()
        page.fill("#text", text)
        page.click("#send")
        page.locator("li.bot").nth(before).wait_for()

    def tap(title):
        before = page.locator("li.bot").count()
        page.locator("li.buttons button", has_text=title).last.click()
        page.locator("li.bot").nth(before).wait_for()

    say("السلام عليكم")
    say("عندي ديون وما قدرتش نخلص الكراء")
    tap("نعم، من فضلك")
    say("كتجيني رسائل ديال الخلاص بزاف")
    say("3073")
    tap("متطوع من جاليتي")
    tap("هذا المساء")
    tap("اتصلوا بي")
    say("0612345678")
    screenshot(page, "webchat-ar-1-consent")
    tap("نعم، أوافق")
    last = page.locator("li.bot").last
    assert "Mohamed" in last.inner_text()
    # Right-to-left: the bot's bubbles start at the right edge, the resident's at the left.
    width = page.viewport_size["width"]
    bot_box, user_box = last.bounding_box(), page.locator("li.user").last.bounding_box()
    assert bot_box["x"] + bot_box["width"] > width - 40 and user_box["x"] < 40
    assert last.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # Readable on a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, "webchat-ar-2-handoff")
    assert all(url.startswith(chat_server["url"]) for url in requests_made), requests_made
    with session_scope(chat_server["database"]) as session:
        [made] = session.execute(select(Referral)).scalars().all()
        assert (made.language, made.contact_by, made.phone, made.status) == ("ar", "phone", "06 12345678", "offered")
        assert made.conversation.startswith("web-")
    # The conversation lives in this tab only, as a token the server signed; nothing is left
    # in the browser's long-lived storage for the next person on this computer.
    token = page.evaluate("sessionStorage.getItem('wijkbrug-conversation')")
    assert token.startswith("w1.") and made.conversation == "web-" + token.split(".")[1]
    assert page.evaluate("Object.keys(localStorage)") == []
    page.close()

    # A shared computer: the next person opens the chat in a new tab of the same browser and
    # asks about "my request". They reach nothing of the resident before them.
    page = context.new_page()
    first_message(page, chat_server["url"] + "/", "hoe staat het met mijn aanvraag?")
    answer = " ".join(page.locator("li.bot").all_inner_texts())
    assert "Mohamed" not in answer and i18n.gettext("nl", DUTCH["utter_no_open_request"]) in answer
    screenshot(page, "webchat-shared-computer-next-person")
    context.close()


def first_message(page, url, text):
    """Opens the chat and sends one message; returns once the bot has answered."""
    page.goto(url)
    page.locator("li.welcome").wait_for()
    page.fill("#text", text)
    page.click("#send")
    page.locator("li.bot").nth(1).wait_for()


def test_end_conversation_forgets_it_on_this_page(browser, chat_server):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    first_message(page, chat_server["url"] + "/?lang=tr", "merhaba")
    first = page.evaluate("sessionStorage.getItem('wijkbrug-conversation')")
    assert first and page.locator("li.user").count() == 1
    assert page.inner_text("#end") == i18n.gettext("tr", page_texts.TEXTS["end"])
    page.click("#end")
    assert page.evaluate("sessionStorage.getItem('wijkbrug-conversation')") is None
    assert page.locator("li.user").count() == 0  # the screen is cleared
    assert i18n.gettext("tr", page_texts.TEXTS["ended"]) in page.inner_text("#messages")
    screenshot(page, "webchat-ended-tr")
    page.reload()  # and stays cleared
    page.locator("li.welcome").wait_for()
    assert page.locator("li.user").count() == 0
    first_message(page, chat_server["url"] + "/?lang=tr", "merhaba")
    second = page.evaluate("sessionStorage.getItem('wijkbrug-conversation')")
    assert second and second != first  # a new conversation
    context.close()


def test_the_widget_embeds_the_chat_on_another_site(browser, chat_server, embedding_site):
    host_page = (f'<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1">'
                 f'</head><body><h1>Gemeente</h1>'
                 f'<script src="{chat_server["url"]}/webchat/widget.js" data-lang="tr" async></script></body></html>')

    class Site(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(host_page.encode())

        def log_message(self, *_args):
            pass

    site = http.server.ThreadingHTTPServer(("127.0.0.1", int(embedding_site.rsplit(":", 1)[1])), Site)
    stranger = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Site)  # a site not listed
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        page = browser.new_page(**PHONE)
        page.goto(f"http://127.0.0.1:{site.server_address[1]}/")
        page.click("#wijkbrug-open")
        frame = page.frame_locator("#wijkbrug-chat")
        frame.locator("li.welcome").wait_for()
        assert frame.locator("html").get_attribute("lang") == "tr"
        frame.locator("#text").fill("merhaba")
        frame.locator("#send").click()
        frame.locator("li.bot >> nth=1").wait_for()
        screenshot(page, "webchat-widget-tr")
        page.close()

        # Any other site cannot frame the chat (a framing site could trick a resident into
        # tapping "yes" to consent or to erase): the browser refuses to show it.
        threading.Thread(target=stranger.serve_forever, daemon=True).start()
        page = browser.new_page(**PHONE)
        page.goto(f"http://127.0.0.1:{stranger.server_address[1]}/")
        with page.expect_console_message(lambda m: "frame-ancestors" in m.text, timeout=60_000) as refusal:
            page.click("#wijkbrug-open")
        assert "has been blocked" in refusal.value.text
        assert page.frame_locator("#wijkbrug-chat").locator("#text").count() == 0
        page.close()
    finally:
        site.shutdown()
        stranger.shutdown()
