"""What every dashboard page shares: the logged-in account, CSRF checks, rendering,
security headers. A handler decorated with @staff_page gets `request.ctx.who` (auth.LoggedIn)
and `request.ctx.session` (one database transaction for the whole request)."""

from __future__ import annotations

import functools
import secrets
from pathlib import Path
from urllib.parse import quote, urlsplit

from sanic import response
from sanic.request import Request

from bot import clock, templating
from bot.dashboard import auth, scope
from bot.store.database import session_scope

TEMPLATES = Path(__file__).resolve().parent / "templates"
SESSION_COOKIE = "wijkbrug_session"
LOGIN_COOKIE = "wijkbrug_login"  # double-submit CSRF token of the login form

# Pages hold residents' requests: never cached, never framed, no outside sources at all.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on our own
    # form posts, and the Origin check below needs the real one. Other sites get nothing.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def settings(request: Request):
    return request.app.ctx.settings


def language(request: Request) -> str:
    who = getattr(request.ctx, "who", None)
    return who.account.language if who else request.args.get("lang", "nl")


def page(request: Request, template: str, status: int = 200, **context) -> response.HTTPResponse:
    who = getattr(request.ctx, "who", None)
    context.setdefault("who", who)
    if who is not None:
        context.setdefault("csrf", who.csrf_token)
        context.setdefault("coordinator", scope.is_coordinator(who.account))
    context.setdefault("path", request.path)
    context.setdefault("notice", request.args.get("notice"))
    html = templating.render(TEMPLATES, template, language(request), **context)
    return response.html(html, status=status)


def error_page(request: Request, status: int, message: str) -> response.HTTPResponse:
    return page(request, "error.html", status=status, status_code=status, message=message)


def same_origin(request: Request) -> bool:
    """A form post must come from our own pages: the browser's Origin (or Referer) names
    this host. Requests without either (not from a browser) still need the CSRF token."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.host


def staff_page(coordinator_only: bool = False):
    def decorate(handler):
        @functools.wraps(handler)
        async def wrapped(request: Request, *args, **kwargs):
            with session_scope(settings(request).database_url) as session:
                who = auth.current(session, request.cookies.get(SESSION_COOKIE), clock.now())
                if who is None:
                    if request.method == "GET":
                        return response.redirect(f"/login?next={quote(request.path)}")
                    return response.redirect("/login")
                request.ctx.who, request.ctx.session = who, session
                if request.method == "POST" and not (
                    same_origin(request) and auth.csrf_ok(who.csrf_token, request.form.get("csrf"))
                ):
                    return error_page(request, 403, "csrf")
                if coordinator_only and not scope.is_coordinator(who.account):
                    return error_page(request, 403, "coordinator")
                return await handler(request, *args, **kwargs)

        return wrapped

    return decorate


def set_cookie(resp: response.HTTPResponse, name: str, value: str, secure: bool, max_age: int | None = None) -> None:
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    if secure:
        cookie["secure"] = True
    if max_age is not None:
        cookie["max-age"] = max_age


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def add_security_headers(_request: Request, resp: response.HTTPResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        resp.headers.setdefault(name, value)
