"""The composition root of the web app: ``create_app(settings)`` builds the Dash app, its pages, callbacks and API."""

from __future__ import annotations

import html as markup
import json
from functools import partial
from pathlib import Path
from typing import Any

import dash
from dash import ClientsideFunction, Dash, Input, Output, dcc, html
from flask import g, send_from_directory
from huddle.dashboard.core.i18n import N_, _, language, reset_language, set_language
from huddle.dashboard.core.names import person_name
from huddle.dashboard.services.container import Services, build_services
from huddle.dashboard.settings import Settings
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import SITE, href
from huddle.dashboard.web.errors import install_error_handling, on_callback_error
from huddle.dashboard.web.first_paint import FirstPaint
from huddle.dashboard.web.health import install_health
from huddle.dashboard.web.light import install_light_pages
from huddle.dashboard.web.metrics import install_metrics
from huddle.dashboard.web.security import current_identity, install_security
from huddle.dashboard.web.sites import SiteRouter, Sites, build_sites, install_site_routing


def _assets_folder() -> Path:
    """The CSS, clientside JS and icon: the huddle.assets package (assets/ in a checkout)."""
    from huddle import assets

    return Path(assets.__file__).resolve().parent


ASSETS = _assets_folder()


ROLE_WORDS = {"admin": N_("admin"), "editor": N_("editor"), "operator": N_("operator"), "viewer": N_("viewer")}


def _who() -> list[Any]:
    """The signed-in person and a sign-out button, or a sign-in link (text only: names are user input)."""
    identity = current_identity()
    if identity.kind == "user":
        return [html.Span(f"{person_name(identity.name, {identity.name: identity.display_name})} · "
                          f"{_(ROLE_WORDS.get(identity.role, identity.role))}", className="who"),
                html.Form(html.Button(_("Sign out"), type="submit", className="link-button"), action="/logout",
                          method="POST", className="inline")]
    if identity.kind == "display":
        return [html.Span(_("Display {name}").format(name=identity.name), className="who")]
    return [html.A(_("Sign in"), href="/login", className="nav-link")]


def _site_picker(sites: Sites | None, services: Services) -> list[Any]:
    """With several sites: which one the pages show (its time zone beside its name)."""
    if sites is None or len(sites.by_key) < 2:
        return []
    options = [{"label": f"{s.config.site_name} ({s.config.timezone})", "value": key}
               for key, s in sites.by_key.items()]
    return [dcc.Dropdown(id=ids.SITE_PICK, options=options, value=services.config.site_key, clearable=False,
                         searchable=False, className="site-pick")]


def _shell(services: Services, sites: Sites | None, first_paint: FirstPaint) -> html.Div:
    """Header with navigation built from the page registry, who is signed in, and the page container (with the
    page the browser asked for drawn in it: ``first_paint``)."""
    identity = current_identity()
    several = sites is not None and len(sites.by_key) > 1
    links = [dcc.Link(_(page["name"]), href=href(page["relative_path"], {}), className="nav-link")  # keeps ?site=
             for page in dash.page_registry.values()
             if page.get("nav", False) and identity.may(page.get("min_role", "anonymous"))
             and (several or not page.get("several_sites"))]
    return html.Div([
        dcc.Location(id=ids.URL),
        dcc.Store(id=ids.PAGE_SITE, data=services.config.site_key),  # every write sends it (sites.site_writer)
        html.Header([
            html.Div([html.Span("Huddle", className="brand"),
                      html.Span(services.config.site_name, id=ids.SITE_TITLE, className="site"),
                      *_site_picker(sites, services)],
                     className="brand-block"),
            html.Nav([*links, *_who()], id=ids.NAV, className="nav"),
        ], className="app-header"),
        html.Div(id=ids.PAGE_MESSAGE, className="page-message"),
        html.Main(first_paint.container(), className="page"),
    ], id=ids.APP_ROOT, className=first_paint.root_class())


def _speak_the_plants_language(services: Services) -> None:
    """Each request speaks its plant's language (the site's, with several): words, numbers and dates alike."""
    token = set_language(services.config.language)
    g.setdefault("language_tokens", []).append(token)


def _end_the_requests_language(_error: BaseException | None) -> None:
    """Give the thread back its language when the request ends: a worker thread (or a test calling the app in its
    own thread) must not keep speaking the last plant's language outside a request."""
    for token in reversed(g.pop("language_tokens", [])):
        reset_language(token)


#: the month and weekday names of the date pickers for a language (date-fns' locale), one file each in the assets,
#: which Dash does not put on every page: a page names the one of its language only, since the pickers take the
#: browser's language among those loaded, else the first (an English plant's page loads none: English is theirs)
DATE_NAMES = "date-fns-{language}.min.js"
#: assets a page names itself when it needs them: the date names, and plotly.js's basic bundle (``light.py``)
_FETCHED_WHEN_NEEDED = r"^(date-fns-.*|plotly-basic\.min)\.js$"


def _with_lang(render: Any, app: Dash) -> Any:
    """Dash's page wrapper with ``<html lang>`` saying the request's language (screen readers pick their voice), and
    the date pickers' names of months and days in that language."""
    def index(**parts: Any) -> str:
        names = DATE_NAMES.format(language=language())
        if (ASSETS / names).exists():
            stamp = int((ASSETS / names).stat().st_mtime)
            parts["scripts"] = f'<script src="{app.get_asset_url(names)}?m={stamp}"></script>\n{parts["scripts"]}'
        page = render(**parts)
        return page.replace("<html>", f'<html lang="{language()}">', 1)
    return index


def create_app(settings: Settings, services: Services | None = None, sites: Sites | None = None) -> Dash:
    """Build the web app for a plant, or for several (``settings.sites``): pages, callbacks and the JSON API
    (nothing is created at import time)."""
    from huddle.callbacks import admin as admin_callbacks
    from huddle.callbacks import admin_calendar as admin_calendar_callbacks
    from huddle.callbacks import admin_monitors as admin_monitor_callbacks
    from huddle.callbacks import admin_scope as admin_scope_callbacks
    from huddle.callbacks import baseline as baseline_callbacks
    from huddle.callbacks import board as board_callbacks
    from huddle.callbacks import data as data_callbacks
    from huddle.callbacks import entry as entry_callbacks
    from huddle.callbacks import escalations as escalation_callbacks
    from huddle.callbacks import handover as handover_callbacks
    from huddle.callbacks import huddle_mode as huddle_mode_callbacks
    from huddle.callbacks import huddles as huddles_callbacks
    from huddle.callbacks import notifications as notification_callbacks
    from huddle.callbacks import okr as okr_callbacks
    from huddle.callbacks import overview as overview_callbacks
    from huddle.callbacks import portfolio as portfolio_callbacks
    from huddle.callbacks import review as review_callbacks
    from huddle.callbacks import stack as stack_callbacks
    from huddle.callbacks import tree as tree_callbacks
    from huddle.dashboard.web.api import register_api
    from huddle.pages import admin as admin_page
    from huddle.pages import baseline as baseline_page
    from huddle.pages import board as board_page
    from huddle.pages import data as data_page
    from huddle.pages import entry as entry_page
    from huddle.pages import huddles as huddles_page
    from huddle.pages import not_found
    from huddle.pages import okr as okr_page
    from huddle.pages import overview as overview_page
    from huddle.pages import portfolio as portfolio_page
    from huddle.pages import review as review_page
    from huddle.pages import stack as stack_page
    from huddle.pages import tree as tree_page

    if services is None and sites is None and settings.sites:
        sites = build_sites(settings)
    if sites is not None:
        services = SiteRouter(sites)  # type: ignore[assignment]  # each request gets its own site's services
    services = services or build_services(settings)
    title = f"Huddle · {services.config.site_name}"
    app = Dash(__name__, use_pages=True, pages_folder="", assets_folder=str(ASSETS),
               assets_ignore=_FETCHED_WHEN_NEEDED, title=title, suppress_callback_exceptions=False,
               on_error=on_callback_error)  # a failing part says so in its place; the rest of the page stays
    # Dash writes the title into the page's <title> as it is: the site name is the plant file's text, so escaped
    # here (pages keep the plain text, which Dash sets as document.title, text again)
    app.index_string = app.index_string.replace("{%title%}", markup.escape(title).replace("{", "&#123;"))
    first_paint = FirstPaint(app)  # the page asked for comes drawn: in the layout, and for a TV in the page itself
    app.interpolate_index = _with_lang(first_paint.with_picture(app.interpolate_index), app)
    install_light_pages(app, ASSETS)  # first, so its compression runs after every other answer hook
    for page in (overview_page, board_page, tree_page, stack_page, review_page, okr_page, portfolio_page, huddles_page,
                 data_page, admin_page, entry_page, baseline_page, not_found):
        page.register()
    # per request: the header shows who is signed in, and where; the page asked for comes drawn in it
    app.layout = lambda: _shell(services, sites, first_paint)
    # browsers ask for /favicon.ico on pages Dash does not draw (the sign-in page): the same icon, not a 404
    app.server.add_url_rule("/favicon.ico", "favicon", lambda: send_from_directory(ASSETS, "favicon.ico"))
    app.clientside_callback(  # ?kiosk=1 hides the header on any page: a TV shows the board only
        ClientsideFunction("huddle", "rootClass"), Output(ids.APP_ROOT, "className"),
        Input(ids.URL, "pathname"), Input(ids.URL, "search"))
    app.clientside_callback(  # a part that failed on one page is no news on the next
        "function (_path) { return null; }", Output(ids.PAGE_MESSAGE, "children"), Input(ids.URL, "pathname"),
        prevent_initial_call=True)
    overview_callbacks.register(app, services)
    data_callbacks.register(app, services)
    notification_callbacks.register(app, services)
    entry_callbacks.register(app, services)
    admin_callbacks.register(app, services)
    admin_monitor_callbacks.register(app, services)
    admin_calendar_callbacks.register(app, services)
    admin_scope_callbacks.register(app, services)
    board_callbacks.register(app, services, first_paint)
    handover_callbacks.register(app, services)
    escalation_callbacks.register(app, services)
    huddle_mode_callbacks.register(app, services)
    huddles_callbacks.register(app, services)
    tree_callbacks.register(app, services)
    baseline_callbacks.register(app, services)
    review_callbacks.register(app, services)
    stack_callbacks.register(app, services)
    okr_callbacks.register(app, services)
    portfolio_callbacks.register(app, sites.by_key if sites else {services.config.site_key: services})
    if sites is not None and len(sites.by_key) > 1:
        app.clientside_callback(  # choosing a site opens the same page for it
            """function (site) {
                const q = new URLSearchParams(window.location.search);
                if (!site || q.get(SITE) === site) { return window.dash_clientside.no_update; }
                q.set(SITE, site);
                window.location.search = q.toString();
                return window.dash_clientside.no_update;
            }""".replace("SITE", json.dumps(SITE)), Output(ids.SITE_PICK, "title"), Input(ids.SITE_PICK, "value"),
            prevent_initial_call=True)
    each_site = sites.by_key if sites else {services.config.site_key: services}
    install_metrics(app.server, each_site, sites.home if sites else services)  # before the door: refusals count
    install_health(app.server, settings, each_site)
    install_security(app.server, settings, sites.home.accounts if sites else services.accounts)
    # the language is set first (the sign-in page and refusals speak it too) and again once the site is known
    app.server.before_request_funcs.setdefault(None, []).insert(0, partial(_speak_the_plants_language, services))
    if sites is not None:
        install_site_routing(app.server, sites, app.config.routes_pathname_prefix)
        app.server.before_request(partial(_speak_the_plants_language, services))
    app.server.teardown_request(_end_the_requests_language)
    install_error_handling(app)
    register_api(app.server, services)
    app.server.config["HUDDLE_SERVICES"] = services
    _finish_dash_setup(app)
    return app


def _finish_dash_setup(app: Dash) -> None:
    """Run Dash's first-request set-up now, in this one thread. Dash finishes setting itself up on its first request
    (its scripts, the page router's callbacks) and marks that done before it is: requests arriving together at a
    fresh worker, as a room of TVs reconnecting after a restart does, raced it (one answered 500: the callbacks
    changed while another request read them)."""
    hooks = [hook for hook in app.server.before_request_funcs.get(None, [])
             if getattr(hook, "__qualname__", "").startswith("Dash.")]
    with app.server.test_request_context(app.config.requests_pathname_prefix):
        for hook in hooks:
            hook()
