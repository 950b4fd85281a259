"""The web app's door: sessions, sign-in and sign-out pages, display links for wall TVs, and the request checks.

Every request gets an identity (a user, a display or nobody) in ``flask.g.identity``. Pages, Dash's callback
endpoints and the API need an identity unless anonymous reading is allowed; requests that change state must come
from this site (Origin check, SameSite cookies); every response carries security headers. Write handlers still
check the caller's role themselves (``current_identity().require(...)``): hiding a button is not access control.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import secrets
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, g, jsonify, redirect, request, session
from flask import has_request_context as _has_request_context
from huddle.dashboard.services.accounts import ANONYMOUS, Accounts, Identity
from huddle.dashboard.settings import Settings
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger("huddle.security")

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
HEALTH_ENDPOINT = "api_v1.health"
PUBLIC_PREFIXES = ("/login", "/display/", "/assets/", "/_dash-component-suites/", "/_favicon.ico",
                   "/favicon.ico")
USER_SESSION_S = 12 * 3600  # a shift and a half; signing in again after that is expected
DISPLAY_SESSION_S = 30 * 86400  # a wall TV stays signed in; revoking its display ends it at once
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
       "base-uri 'self'; form-action 'self'")


def current_identity() -> Identity:
    """Who is calling (anonymous outside a request)."""
    if _has_request_context():
        return getattr(g, "identity", ANONYMOUS)
    return ANONYMOUS


def has_request_context() -> bool:
    """True inside a web request."""
    return _has_request_context()


def secret_key(settings: Settings) -> str:
    """The key that signs session cookies: from settings, or created once in the data folder (0600)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    # written whole to a file of its own, then linked into place: web workers starting together agree on one key
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        os.chmod(draft, 0o600)
        with contextlib.suppress(FileExistsError):  # another worker was first: use its key
            os.link(draft, path)
    finally:
        os.unlink(draft)
    return path.read_text().strip()


def _same_origin() -> bool:
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return True  # not a browser: no ambient cookies are being abused
    return urlsplit(source).netloc == request.host


def _load_identity(accounts: Accounts) -> Identity:
    data = session
    if not data:
        return ANONYMOUS
    if data.get("exp", 0) < time.time():
        session.clear()
        return ANONYMOUS
    if "sid" in data:  # a session kept on the server: signing out, expiry, a password change or an admin ends it
        identity = accounts.session_identity(str(data["sid"]))
    elif "display" in data:
        identity = accounts.display_identity(int(data["display"]))
    else:
        identity = None
    if identity is None:
        session.clear()
        return ANONYMOUS
    return identity


def _page(title: str, body: str) -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)} · Huddle</title>
<link rel="stylesheet" href="/assets/huddle.css"></head><body>
<header class="app-header"><div class="brand-block"><span class="brand">Huddle</span></div></header>
<main class="page login">{body}</main></body></html>"""


def _login_form(message: str = "", username: str = "", next_path: str = "/") -> str:
    error = f'<p class="form-error" role="alert">{html.escape(message)}</p>' if message else ""
    return _page("Sign in", f"""<h1>Sign in</h1>{error}
<form method="post" action="/login" class="card login-form">
<input type="hidden" name="next" value="{html.escape(next_path)}">
<label>User name <input name="username" autocomplete="username" value="{html.escape(username)}" required
 autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form>""")


def _safe_next(path: str | None) -> str:
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def _identify(accounts: Accounts, anonymous_reads: bool) -> Any:
    """Before every request: who asks (``g.identity``); a change that does not come from this site is refused, and
    an anonymous caller is sent to sign in unless anyone may read."""
    try:
        g.identity = _load_identity(accounts)
    except SQLAlchemyError:
        # a signed session whose person cannot be looked up: health still answers, 503 with the reason
        if request.endpoint == HEALTH_ENDPOINT:
            g.identity = ANONYMOUS
            return None
        raise
    if request.method not in SAFE_METHODS and not _same_origin():
        log.warning("refused a %s to %s from origin %s", request.method, request.path,
                    request.headers.get("Origin") or request.headers.get("Referer"))
        return jsonify({"error": "requests that change something must come from this site"}), 403
    if request.path.startswith(PUBLIC_PREFIXES) or request.path == "/logout":
        return None
    if g.identity.kind == "anonymous" and not anonymous_reads:
        if request.path.startswith(("/api/", "/_dash-", "/_reload-hash")):
            return jsonify({"error": "sign in first"}), 401
        return redirect(f"/login?next={request.full_path.rstrip('?')}")
    return None


def _headers(response: Response) -> Response:
    """After every request: the security headers, and no caching of answers that carry data."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.path.startswith(("/api/", "/login", "/_dash-update-component")):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _login_page() -> Any:
    """GET /login: the sign-in form."""
    return _login_form(next_path=_safe_next(request.args.get("next")))


def _login(accounts: Accounts) -> Any:
    """POST /login: sign in (throttled by the accounts), then on to the page asked for."""
    username = (request.form.get("username") or "").strip()
    next_path = _safe_next(request.form.get("next"))
    result = accounts.login(username, request.form.get("password") or "", request.remote_addr or "",
                            request.user_agent.string)
    if result.identity is None:
        if not result.retry_after_s:  # attempts refused while waiting are counted by the throttle, not logged
            log.warning("failed sign-in for %r from %s: %s", username, request.remote_addr, result.reason)
        status = 429 if result.retry_after_s else 401
        response = Response(_login_form(result.reason, username, next_path), status=status)
        if result.retry_after_s:
            response.headers["Retry-After"] = str(result.retry_after_s)
        return response
    session.clear()
    session.permanent = True
    session.update(sid=result.session_token, exp=time.time() + USER_SESSION_S)
    return redirect(next_path)


def current_session_token() -> str:
    """The token of the caller's sign-in session ("" outside a request or without one)."""
    return str(session.get("sid", "")) if _has_request_context() else ""


def _logout(accounts: Accounts) -> Any:
    """POST /logout: end the session on the server (a copy of its cookie opens nothing) and forget it here."""
    if session.get("sid"):
        accounts.logout(str(session["sid"]))
    session.clear()
    return redirect("/login")


def _display(accounts: Accounts, token: str) -> Any:
    """GET /display/<token>: sign this browser in as the display screen the link names."""
    screen = accounts.display_by_token(token)
    if screen is None:
        return Response(_page("Display link not valid", "<h1>This display link is not valid</h1>"
                              "<p>It was revoked or mistyped. Ask an admin for the screen's link.</p>"),
                        status=403)
    session.clear()
    session.permanent = True
    session.update(display=screen.id, exp=time.time() + DISPLAY_SESSION_S)
    return redirect(screen.start_path)


def install_security(server: Flask, settings: Settings, accounts: Accounts) -> None:
    """Sessions, sign-in/out and display routes, the access policy and security headers on the Flask server."""
    server.secret_key = secret_key(settings)
    if settings.behind_proxies:  # the client's address (sign-in throttling, the audit) and scheme come from them
        n = settings.behind_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    server.config.update(
        SESSION_COOKIE_NAME="huddle_session", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies, PERMANENT_SESSION_LIFETIME=DISPLAY_SESSION_S,
    )
    server.before_request(partial(_identify, accounts, settings.anonymous_access == "read"))
    server.after_request(_headers)
    server.add_url_rule("/login", "_login_page", _login_page, methods=["GET"])
    server.add_url_rule("/login", "_login", partial(_login, accounts), methods=["POST"])
    server.add_url_rule("/logout", "_logout", partial(_logout, accounts), methods=["POST"])
    server.add_url_rule("/display/<token>", "_display", partial(_display, accounts), methods=["GET"])
