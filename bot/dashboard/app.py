"""The dashboard's Sanic app: login and logout here, the pages in views_*.py."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from sanic import Sanic, response
from sanic.exceptions import MethodNotSupported, NotFound
from sanic.request import Request

from bot import client_address, clock, static_files
from bot.dashboard import auth, views_figures, views_people, views_referrals, web
from bot.i18n import _
from bot.settings import Settings
from bot.store.prepare import prepare

logger = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"

BAD_LOGIN = _("Gebruikersnaam of wachtwoord klopt niet.")
LOCKED = _("Te veel mislukte pogingen. Probeer het over {minutes} minuten opnieuw.")


def create_app(settings: Settings) -> Sanic:
    app = Sanic("wijkbrug_dashboard")
    app.ctx.settings = settings

    @app.before_server_start
    async def ready(_app, _loop) -> None:
        prepare(settings)

    app.on_response(web.add_security_headers)

    @app.get("/health")
    async def health(_request: Request):
        return response.json({"status": "ok"})

    @app.get("/login")
    async def login_form(request: Request):
        token = web.new_login_token()
        resp = web.page(request, "login.html", login_token=token, next=_safe_next(request.args.get("next")))
        web.set_cookie(resp, web.LOGIN_COOKIE, token, settings.dashboard_secure_cookies, max_age=3600)
        return resp

    @app.post("/login")
    async def login(request: Request):
        form = request.form
        token = request.cookies.get(web.LOGIN_COOKIE)
        if not (web.same_origin(request) and token and auth.csrf_ok(token, form.get("login_token"))):
            return web.error_page(request, 403, "csrf")
        username, password = (form.get("username") or "")[:60], (form.get("password") or "")[:200]
        address = client_address.of_request(request, settings.trusted_proxies)
        outcome, value = await asyncio.get_running_loop().run_in_executor(
            None, auth.attempt_login, settings.database_url, username, password, address, clock.now())
        if outcome == "locked":
            resp = web.page(request, "login.html", status=429, login_token=token, next=_safe_next(form.get("next")),
                            error=LOCKED, minutes=max(1, (value + 59) // 60), username=username)
            resp.headers["Retry-After"] = str(value)
            return resp
        if outcome == "bad":
            return web.page(request, "login.html", status=401, login_token=token, next=_safe_next(form.get("next")),
                            error=BAD_LOGIN, username=username)
        resp = response.redirect(_safe_next(form.get("next")) or "/referrals")
        web.set_cookie(resp, web.SESSION_COOKIE, value, settings.dashboard_secure_cookies)
        del resp.cookies[web.LOGIN_COOKIE]
        return resp

    @app.post("/logout")
    @web.staff_page()
    async def logout(request: Request):
        auth.end_session(request.ctx.session, request.cookies.get(web.SESSION_COOKIE))
        resp = response.redirect("/login")
        del resp.cookies[web.SESSION_COOKIE]
        return resp

    @app.get("/")
    async def home(_request: Request):
        return response.redirect("/referrals")

    views_referrals.register(app)
    views_people.register(app)
    views_figures.register(app)
    static_files.register(app, "/static", STATIC, "dashboard_static")

    @app.exception(NotFound, MethodNotSupported)
    async def not_found(request: Request, _error):
        return web.error_page(request, 404, "not_found")

    @app.exception(Exception)
    async def failed(request: Request, error: Exception):
        logger.error("dashboard request failed: %s", type(error).__name__, exc_info=error)
        return web.error_page(request, 500, "failed")

    return app


def _safe_next(value: str | None) -> str:
    """Only a path on this site (no //host, no scheme), so a login link cannot send people elsewhere."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return ""
