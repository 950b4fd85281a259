"""The web app's door: sessions, sign-in and sign-out pages, display links for wall TVs, and the request checks.

Every request gets an identity (a user, a display or nobody) in ``flask.g.identity``. Pages, Dash's callback
endpoints and the API need an identity unless anonymous reading is allowed; only the sign-in page, its stylesheet
and icon, and display links are open to anyone. With ``public_url`` (or ``allowed_hosts``) set, a request naming
another host is refused (400) whatever its path, so a page on a rebound DNS name cannot talk to Huddle; requests that
change state must come from this site: their Origin (or Referer) must have the scheme, host and port of
``public_url`` or of the address the request was sent to (SameSite cookies besides). Every response carries
security headers (HSTS when served over HTTPS); a body over ``max_request_bytes`` is refused before it is read.
Write handlers still check the caller's role themselves (``current_identity().require(...)``): hiding a button is
not access control.
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
from typing import Any, NamedTuple
from urllib.parse import quote, unquote, urlsplit

from flask import Flask, Response, g, jsonify, redirect, request, session
from flask import has_request_context as _has_request_context
from huddle.dashboard.core.i18n import _, language
from huddle.dashboard.services.accounts import ANONYMOUS, Accounts, Identity
from huddle.dashboard.settings import Settings
from huddle.dashboard.web.health import monitor_identity
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger("huddle.security")

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
HEALTH_ENDPOINT = "api_v1.health"
DISPLAY_ENDPOINT = "_display"
#: the routes anyone may call, by endpoint (an address that only looks like one, /login-x, is not one of them)
OPENAPI_ENDPOINT = "api_v1.openapi"  # the API's description: shapes only, no plant data, so tools can read it
PUBLIC_ENDPOINTS = frozenset({"_login_page", "_login", "_logout", DISPLAY_ENDPOINT, "favicon", OPENAPI_ENDPOINT,
                              "healthz", "readyz"})  # the last two: a load balancer's checks, no data (health.py)
#: what a monitor (its token, or an address in ``monitor_addresses``) may read, and nothing else
MONITOR_ENDPOINTS = frozenset({HEALTH_ENDPOINT, "metrics"})
PUBLIC_PATHS = frozenset({"/_favicon.ico"})
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")  # the sign-in page's stylesheet; no data in either
HSTS = "max-age=31536000"  # a year: once a browser has seen Huddle over HTTPS, it never asks over plain HTTP
NEXT_CHARS = 2000
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


class Origin(NamedTuple):
    """Where a page comes from: scheme, host name (lower case) and port (the scheme's own when not written)."""

    scheme: str
    host: str
    port: int


def origin_of(url: str) -> Origin | None:
    """The origin of an http(s) address, or None for anything else ("null", a bad port, another scheme)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return Origin(parts.scheme, parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80))


def _host_name(host: str) -> str | None:
    """The name in a Host header or an ``allowed_hosts`` entry, without its port (None when there is none)."""
    try:
        name = urlsplit("//" + host.strip()).hostname
    except ValueError:
        return None
    return name.lower() if name else None


class Door(NamedTuple):
    """What the request checks compare with: the public origin and the host names served (None: any, for local
    use without ``public_url``)."""

    public: Origin | None
    hosts: frozenset[str] | None

    @classmethod
    def of(cls, settings: Settings) -> Door:
        """The door of these settings."""
        public = origin_of(settings.public_url) if settings.public_url else None
        names = {n for n in (_host_name(h) for h in settings.allowed_hosts) if n}
        if public is not None:
            names.add(public.host)
        return cls(public, frozenset(names) if names else None)

    def serves(self, host: str) -> bool:
        """True when a request naming this Host is answered."""
        return self.hosts is None or _host_name(host) in self.hosts

    def same_site(self) -> bool:
        """True when the request's Origin (or Referer) is this site: the public address's or the one the request
        was sent to. Without either header only an unconfigured door lets it through: a browser always sends one
        with a change, so its absence means a script, which has no one's cookies to abuse."""
        source = request.headers.get("Origin") or request.headers.get("Referer")
        if not source:
            return self.hosts is None
        theirs = origin_of(source)
        return theirs is not None and theirs in (self.public, origin_of(request.host_url))


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
    return f"""<!doctype html><html lang="{language()}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)} · Huddle</title>
<link rel="stylesheet" href="/assets/huddle.css"></head><body>
<header class="app-header"><div class="brand-block"><span class="brand">Huddle</span></div></header>
<main class="page login">{body}</main></body></html>"""


def _login_form(message: str = "", username: str = "", next_path: str = "/") -> str:
    error = f'<p class="form-error" role="alert">{html.escape(message)}</p>' if message else ""
    title, user, password = _("Sign in"), _("User name"), _("Password")
    return _page(title, f"""<h1>{title}</h1>{error}
<form method="post" action="/login" class="card login-form">
<input type="hidden" name="next" value="{html.escape(next_path)}">
<label>{user} <input name="username" autocomplete="username" value="{html.escape(username)}" required
 autofocus></label>
<label>{password} <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">{title}</button></form>""")


def _unsafe_char(ch: str) -> bool:
    """Control characters and white space: browsers drop some of them from addresses (``/%09/evil`` is ``//evil``)."""
    return ch.isspace() or not ch.isprintable()


def safe_next(path: str | None) -> str:
    """The page to go on to after signing in: a path on this site, else the start page. Refused: another host
    (``//host``, ``/\\host``), a scheme, control characters or white space, as given or percent-decoded."""
    if not path or len(path) > NEXT_CHARS:
        return "/"
    for text in (path, unquote(path)):  # a path never starts with a scheme: it starts with "/"
        if not text.startswith("/") or text[1:2] == "/" or "\\" in text or any(_unsafe_char(ch) for ch in text):
            return "/"
    return path


def _public(path: str) -> bool:
    """True for the addresses anyone may open: sign-in and out, display links, the stylesheet and icons."""
    return request.endpoint in PUBLIC_ENDPOINTS or path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _identify(accounts: Accounts, anonymous_reads: bool, door: Door) -> Any:
    """Before every request: a host not served is refused; who asks (``g.identity``); a change that does not come
    from this site is refused, and an anonymous caller is sent to sign in unless anyone may read."""
    if not door.serves(request.host):
        log.warning("refused a request for host %r from %s", request.host[:100], request.remote_addr)
        return Response("This address is not served here: use the address Huddle is published at.\n", status=400,
                        mimetype="text/plain")
    try:
        g.identity = _load_identity(accounts)
        if g.identity.kind == "anonymous" and request.endpoint in MONITOR_ENDPOINTS:
            g.identity = monitor_identity(accounts)
    except SQLAlchemyError:
        # a signed session whose person cannot be looked up: health still answers, 503 with the reason
        if request.endpoint == HEALTH_ENDPOINT:
            g.identity = ANONYMOUS
            return None
        if request.endpoint == "metrics":  # a monitor's token cannot be checked: no figures, and it says why
            return Response("The database cannot be used: the monitor's token cannot be checked.\n", status=503,
                            mimetype="text/plain")
        raise
    if request.method not in SAFE_METHODS and not door.same_site():
        log.warning("refused a %s to %s from origin %s", request.method, request.path,
                    request.headers.get("Origin") or request.headers.get("Referer"))
        return jsonify({"error": "requests that change something must come from this site"}), 403
    if _public(request.path):
        return None
    if g.identity.kind == "anonymous" and not anonymous_reads:
        if request.path.startswith(("/api/", "/_dash-", "/_reload-hash", "/metrics")):
            return jsonify({"error": "sign in first"}), 401
        return redirect("/login?next=" + quote(request.full_path.rstrip("?"), safe="/"))
    return None


def _headers(https_public: bool, response: Response) -> Response:
    """After every request: the security headers, and no caching of answers that carry data."""
    if https_public or request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
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
    return _login_form(next_path=safe_next(request.args.get("next")))


def _login(accounts: Accounts) -> Any:
    """POST /login: sign in (throttled by the accounts), then on to the page asked for."""
    username = (request.form.get("username") or "").strip()
    next_path = safe_next(request.form.get("next"))
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
        heading, why = _("This display link is not valid"), _("It was revoked or mistyped. Ask an admin for the "
                                                               "screen’s link.")
        return Response(_page(_("Display link not valid"), f"<h1>{heading}</h1><p>{why}</p>"),
                        status=403)
    session.clear()
    session.permanent = True
    session.update(display=screen.id, exp=time.time() + DISPLAY_SESSION_S)
    return redirect(safe_next(screen.start_path))


def _too_large(limit: int, _exc: RequestEntityTooLarge) -> Response:
    """A body over the limit: refused before it is read, in a line of text."""
    log.warning("refused a %s to %s: body over %d bytes", request.method, request.path, limit)
    return Response(f"Refused: the request is larger than {limit} bytes.\n", status=413, mimetype="text/plain")


def install_security(server: Flask, settings: Settings, accounts: Accounts) -> None:
    """Sessions, sign-in/out and display routes, the access policy and security headers on the Flask server."""
    server.secret_key = secret_key(settings)
    if settings.behind_proxies:  # the client's address (sign-in throttling, the audit) and scheme come from them
        n = settings.behind_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    server.config.update(
        SESSION_COOKIE_NAME="huddle_session", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies, PERMANENT_SESSION_LIFETIME=DISPLAY_SESSION_S,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
    )
    door = Door.of(settings)
    server.before_request(partial(_identify, accounts, settings.anonymous_access == "read", door))
    server.after_request(partial(_headers, door.public is not None and door.public.scheme == "https"))
    server.register_error_handler(RequestEntityTooLarge, partial(_too_large, settings.max_request_bytes))
    server.add_url_rule("/login", "_login_page", _login_page, methods=["GET"])
    server.add_url_rule("/login", "_login", partial(_login, accounts), methods=["POST"])
    server.add_url_rule("/logout", "_logout", partial(_logout, accounts), methods=["POST"])
    server.add_url_rule("/display/<token>", DISPLAY_ENDPOINT, partial(_display, accounts), methods=["GET"])
