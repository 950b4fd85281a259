"""Several plants served together: one plant file per site, each site's data in its own schema of one PostgreSQL
database (or its own SQLite file), each with its own time zone, calendar, lines, KPIs and loaders.

The web app serves every site from one set of pages: a request is about the site its address names (``?site=``),
else the site of the page it comes from (a callback's Referer), else the site last chosen (a cookie), else the
first one, the home site. People, roles and display links are the home site's, so one sign-in covers every site;
each site keeps its own audit trail of what was changed in it.

With several sites, the site is never left to the cookie (which every tab shares): a page opened without
``?site=`` is sent to its address with the site in it, every link a page writes keeps it (``address.href``), and
every write sends the site its page was drawn for (the shell's ``ids.PAGE_SITE`` store); ``site_writer`` refuses a
write whose page's site is not the site the request reached, before anything is read or stored. Roles are the home
site's and hold on every site; each write's service checks them in the site written.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Response, g, jsonify, redirect, request
from flask import has_request_context as _has_request_context
from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.plant import load_plant
from huddle.dashboard.services.accounts import ForbiddenError, Identity
from huddle.dashboard.services.container import Services, build_services
from huddle.dashboard.settings import Settings
from huddle.dashboard.web.address import SITE
from huddle.dashboard.web.security import current_identity
from huddle.data.queries.schemas import create_schema
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

SITE_COOKIE = "huddle_site"
SCHEMA_PREFIX = "site_"


def site_settings(settings: Settings) -> list[Settings]:
    """The settings of each site: its plant file, its own data folder and its own schema (or SQLite file)."""
    if not settings.sites:
        return [settings]
    out = []
    for path in settings.sites:
        key = load_plant(path, settings.data_dir).site_key
        if not re.fullmatch(r"[a-z0-9_]+", key):
            raise ValueError(f"site key {key!r} in {path}: use lower-case letters, digits and _ (it names a schema)")
        data_dir = settings.data_dir / "sites" / key
        url = settings.database_url
        postgres = bool(url) and make_url(url).get_backend_name() == "postgresql"
        url = site_database_url(url, key) if postgres else None  # SQLite: a file in the site's own data folder
        out.append(replace(settings, plant_config=path, data_dir=data_dir, database_url=url))
    return out


def site_schema(url: str, key: str) -> str:
    """The PostgreSQL schema of a site: ``site_<key>``, or ``<schema>_<key>`` when the URL names a schema."""
    options = str(make_url(url).query.get("options") or "")
    named = re.search(r"search_path=(\w+)", options)
    return f"{named.group(1)}_{key}" if named else f"{SCHEMA_PREFIX}{key}"


def site_database_url(url: str, key: str) -> str:
    """The database URL whose search path is the site's schema."""
    parsed = make_url(url)
    return parsed.update_query_dict({"options": f"-csearch_path={site_schema(url, key)}"}).render_as_string(
        hide_password=False)


def create_schemas(settings: Settings) -> None:
    """On PostgreSQL, each site's schema (created when missing)."""
    url = settings.database_url
    if not settings.sites or not url or make_url(url).get_backend_name() != "postgresql":
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        for path in settings.sites:
            key = load_plant(path, settings.data_dir).site_key
            create_schema(conn, site_schema(url, key))
    engine.dispose()


@dataclass
class Sites:
    """Every site's services, by key, in the order the settings list them."""

    by_key: dict[str, Services]

    @property
    def home(self) -> Services:
        """The first site: its people, roles and display links are everyone's."""
        return next(iter(self.by_key.values()))

    def dispose(self) -> None:
        """Close every site's database connections."""
        for services in self.by_key.values():
            services.dispose()


def build_sites(settings: Settings, clock: Callable[[], datetime] | None = None) -> Sites:
    """Build every configured site's services (creating schemas and tables as needed); every site runs on one
    clock (a simulated one reads ``settings.now`` in the home site's zone)."""
    create_schemas(settings)
    built = []
    for each in site_settings(settings):
        built.append(build_services(each, clock))
        clock = clock or built[0].clock
    keys = [s.config.site_key for s in built]
    if len(set(keys)) != len(keys):
        raise ValueError(f"two plant files name the same site key: {', '.join(keys)}")
    return Sites(dict(zip(keys, built, strict=True)))


def site_asked(known: dict[str, Any]) -> str | None:
    """The site a request is about: its address, the page it comes from, or the site last chosen."""
    asked = request.args.get(SITE)
    if asked in known:
        return asked
    referrer = request.headers.get("Referer") or ""
    from_page = parse_qs(urlsplit(referrer).query).get(SITE, [None])[0]
    if from_page in known:
        return from_page
    remembered = request.cookies.get(SITE_COOKIE)
    return remembered if remembered in known else None


class SiteRouter:
    """Stands in for ``Services`` in the web app: every attribute is the current request's site's."""

    def __init__(self, sites: Sites) -> None:
        self.sites = sites

    def current(self) -> Services:
        """The services of the site the current request is about (the home site outside a request)."""
        key = getattr(g, "site", None) if _has_request_context() else None
        return self.sites.by_key.get(key or "", self.sites.home)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.current(), name)


class WrongSiteError(ForbiddenError):
    """A write sent from a page of one site that reached another site (or a page that did not say its site):
    refused before anything is read or stored. A ``ForbiddenError``, so every form says it as it says any refusal."""


def site_writer(services: Any, page_site: Any) -> Identity:
    """Who is writing, once the site the page was drawn for (sent with the write) is the site this request reached;
    raises ``WrongSiteError`` otherwise. Roles are the home site's and hold on every site: the service written to
    checks them, in the site written."""
    reached = services.config.site_key
    if page_site == reached:
        return current_identity()
    names: dict[str, str] = (g.get("site_names") if _has_request_context() else None) or {
        reached: services.config.site_name}
    if page_site is None:
        raise WrongSiteError(_("the page did not say which site it shows, so nothing was stored: reload the "
                               "page and save again"))
    if not isinstance(page_site, str) or page_site not in names:  # a hand-made request may send anything
        raise WrongSiteError(_("the page names a site not served here, so nothing was stored: reload the page"))
    raise WrongSiteError(_("this page shows {page_site}, but the request reached {reached}, so nothing was stored: "
                           "reload the page and save again").format(page_site=names[page_site],
                                                                    reached=names[reached]))


def install_site_routing(server: Any, sites: Sites, prefix: str = "/") -> None:
    """Set the request's site before anything reads it, and remember a site chosen in the address. With several
    sites, a page opened without ``?site=`` is sent to its address with the site in it (``prefix``: where Dash
    serves its pages)."""
    known = sites.by_key
    names = {key: s.config.site_name for key, s in known.items()} if len(known) > 1 else None
    pages = {prefix, prefix + "<path:path>"}  # Dash serves every page address from these two rules

    @server.before_request
    def _site() -> Any:
        asked = request.args.get(SITE)
        if asked is not None and asked not in known:
            message = f"site: there is no site {asked!r} here (sites: {', '.join(known)})"
            if request.path.startswith("/api/"):
                return jsonify({"error": message}), 400
            return Response(html.escape(message), status=404, mimetype="text/plain")
        g.site = site_asked(known) or next(iter(known))
        g.site_names = names
        if (names and asked is None and request.method in ("GET", "HEAD") and request.endpoint in pages
                and not request.path.startswith("/api/")):
            # the page's address names its site, so this tab stays on it whatever another tab chooses
            query = urlencode([(SITE, g.site), *request.args.items(multi=True)])
            return redirect(f"{request.script_root}{request.path}?{query}", code=302)
        return None

    @server.after_request
    def _remember(response: Any) -> Any:
        if request.args.get(SITE) in known and request.cookies.get(SITE_COOKIE) != request.args[SITE]:
            response.set_cookie(SITE_COOKIE, request.args[SITE], max_age=365 * 86400, samesite="Lax",
                                httponly=True)
        return response

