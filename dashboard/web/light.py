"""Light pages: answers compressed for the wire, files whose address names their version cached by the browser for a
year, and the tree's graph library (cytoscape) fetched only by a page that draws a tree.

Dash puts every imported component library's script in every page of a multi-page app, so the wall TV's board paid
for cytoscape (half a megabyte) though it draws no tree. Here a page carries the script only when its address is a
page whose layout holds one of the library's components (the tree); every other page carries
``assets/lazy_libraries.js`` in its place, which fetches the script (the version-fingerprinted address Dash serves)
when the page leads to the tree without a new document (a navigation link) and then draws the real component.
plotly.js is fetched only when a chart is drawn (dcc.Graph loads it on demand), and as plotly's basic bundle (scatter,
bar and pie traces, shapes and annotations: every chart Huddle draws) of the same version, a quarter of the full one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

import dash
from dash import Dash
from dash.development.base_component import Component
from dash.fingerprint import build_fingerprint, check_fingerprint
from flask import Flask, Request, Response, g, has_request_context, request
from flask_compress import Compress
from plotly.offline import get_plotlyjs_version

log = logging.getLogger(__name__)

#: a year, and never revalidated: the address changes when the file does
LONG_CACHE = "public, max-age=31536000, immutable"
#: libraries whose script a page fetches when it first draws one of their components
LAZY_LIBRARIES = ("dash_cytoscape",)
LAZY_CONFIG_ID = "huddle-lazy-libraries"
ANSWER_DIGEST = "huddle_answer_digest"  # the request's answer digest, in flask.g
BROTLI_QUALITY = 5  # smaller and faster than flask-compress's 4 on Dash's bundles (plotly.js: 1.29 MB against 1.41)


#: plotly.js's basic bundle in the assets (``plotly.js-basic-dist-min`` from npm, its header naming its version),
#: served where dcc.Graph fetches the plotly package's full bundle: 1.2 MB against 4.8 (396 KB compressed against
#: 1.47 MB), far less for the browser to compile and run before a page's first chart
PLOTLY_BASIC = "plotly-basic.min.js"
#: where dcc.Graph fetches plotly.js from, under the routes' prefix, when the page serves its scripts itself
PLOTLY_PATH = "_dash-component-suites/plotly/package_data/plotly.min.js"

ANSWERS_KEPT = 32  # compressed callback answers kept (a room of TVs asks for one per board it shows)
ANSWER_MIN_BYTES = 16_384  # smaller answers compress in less time than keeping them saves
ANSWER = "answer:"


class _LibraryBodies:
    """Compressed bodies of the component libraries' files, kept so each is compressed once per encoding, and of the
    latest large callback answers, so a room of TVs sent the same new board compresses it once.

    Library files are keyed by the file inside their package (fingerprint removed): only files Dash registered are
    served with a 2xx, so those keys are bounded by what the pages use, not by what a client asks for. A callback
    answer is keyed by a digest of its bytes (the same bytes, the same compressed body: it can never be another
    answer's) and only the last ``ANSWERS_KEPT`` are kept. Other answers get the empty key, which is never stored."""

    def __init__(self) -> None:
        self._bodies: dict[str, bytes] = {}
        self._answers: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """The compressed body kept under ``key``, if any."""
        return self._answers.get(key) if ANSWER in key else self._bodies.get(key)

    def set(self, key: str, value: bytes) -> None:
        """Keep a compressed body (not for the empty key of an answer that changes)."""
        if key.endswith(";"):
            return
        with self._lock:
            if ANSWER not in key:
                self._bodies[key] = value
                return
            self._answers[key] = value
            self._answers.move_to_end(key)
            while len(self._answers) > ANSWERS_KEPT:
                self._answers.popitem(last=False)


def _library_file(prefix: str) -> Callable[[Request], str]:
    """The compression cache's key of a request: the library file it asks for, its large callback answer's digest,
    or "" for anything else."""
    suites = prefix + "_dash-component-suites/"

    def key(req: Request) -> str:
        if req.method != "GET" or not req.path.startswith(suites):
            return str(g.get(ANSWER_DIGEST, ""))
        return check_fingerprint(req.path[len(suites):])[0]

    return key


def _answer_digest(prefix: str) -> Callable[[Response], Response]:
    """Names a large callback answer by a digest of its bytes, for the compression cache (it runs before it)."""
    path = prefix + "_dash-update-component"

    def digest(response: Response) -> Response:
        if (request.method == "POST" and request.path == path and response.status_code == 200
                and not response.is_streamed and (response.content_length or 0) >= ANSWER_MIN_BYTES):
            g.setdefault(ANSWER_DIGEST, ANSWER + hashlib.blake2b(response.get_data(), digest_size=16).hexdigest())
        return response

    return digest


def install_compression(server: Flask, prefix: str = "/") -> None:
    """Compress answers with brotli or gzip, as the browser accepts (pages, callbacks, scripts, styles, the API)."""
    server.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_BR_LEVEL=BROTLI_QUALITY,
        COMPRESS_STREAMS=False,  # a compressing stream holds its request open; assets/ files are read whole instead
        COMPRESS_CACHE_BACKEND=_LibraryBodies,
        COMPRESS_CACHE_KEY=_library_file(prefix),
    )
    Compress(server)
    server.after_request(_answer_digest(prefix))  # registered after: runs before the compression


def install_long_cache(app: Dash) -> None:
    """Files whose address names their version (``/assets/x.css?m=<mtime>``, Dash's ``.v1_0_2m<mtime>.js``) are
    cached for a year; a changed file gets a new address, so a browser never keeps an old one."""
    prefix = app.config.routes_pathname_prefix
    assets = prefix + app.config.assets_url_path.strip("/") + "/"
    suites = prefix + "_dash-component-suites/"

    def cache(response: Response) -> Response:
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if request.path.startswith(assets) and response.is_streamed:
            # read now, so they are compressed whole: a compressing stream would keep the request open until the
            # server finished sending (the files are a few kilobytes of CSS and JS)
            response.direct_passthrough = False
            response.make_sequence()
        versioned = ((request.path.startswith(assets) and request.args.get("m"))
                     or (request.path.startswith(suites) and check_fingerprint(request.path[len(suites):])[1]))
        if versioned:
            response.headers["Cache-Control"] = LONG_CACHE
        return response

    app.server.after_request(cache)


def _library_url(app: Dash, namespace: str) -> str:
    """The fingerprinted address Dash serves a library's production script from (as its own page tags name it)."""
    module = import_module(namespace)
    files = [r["relative_package_path"] for r in module._js_dist  # type: ignore[attr-defined]
             if r.get("relative_package_path", "").endswith(".js") and not r.get("dynamic") and not r.get("async")]
    path = files[0]
    modified = int(os.stat(os.path.join(os.path.dirname(sys.modules[namespace].__file__ or ""), path)).st_mtime)
    app.registered_paths[namespace].add(path)  # Dash serves only registered files
    fingerprint = build_fingerprint(path, module.__version__, modified)  # type: ignore[attr-defined]
    return f"{app.config.requests_pathname_prefix}_dash-component-suites/{namespace}/{fingerprint}"


def _components(namespace: str) -> list[str]:
    """The component types a library defines (what a page's layout may name)."""
    module = import_module(namespace)
    return sorted(name for name in dir(module) if isinstance(getattr(module, name), type)
                  and issubclass(getattr(module, name), Component) and getattr(module, name).__module__
                  .startswith(namespace))


def _pages_drawing(namespaces: set[str]) -> dict[str, set[str]]:
    """The addresses of the registered pages whose layout holds a component of each library (layouts are cheap
    and need no database: Dash calls them all to check callbacks)."""
    drawing: dict[str, set[str]] = {ns: set() for ns in namespaces}
    for page in dash.page_registry.values():
        layout = page.get("layout")
        root = layout() if callable(layout) else layout
        if isinstance(root, Component):
            for component in (root, *root._traverse()):
                namespace = getattr(component, "_namespace", None)
                if namespace in drawing:
                    drawing[namespace].add(page["path"])
    return drawing


def install_lazy_libraries(app: Dash, namespaces: tuple[str, ...] = LAZY_LIBRARIES) -> None:
    """Leave the libraries' scripts out of the pages that draw none of their components; ``assets/lazy_libraries.js``
    fetches one when such a page leads to one that does (the address and component names are written into every
    page for it). A page opened at an address that draws one carries the script, fetched beside the others."""
    lazy = set(namespaces)
    libraries = {ns: {"url": _library_url(app, ns), "components": _components(ns)} for ns in namespaces}
    everything = app.scripts.get_all_scripts
    prefix = app.config.routes_pathname_prefix
    drawing: dict[str, set[str]] = {}

    def get_all_scripts(dev_bundles: bool = False) -> list[dict[str, Any]]:
        if not drawing:
            drawing.update(_pages_drawing(lazy))  # on the first page served: every page is registered by then
        path = "/" + request.path[len(prefix):] if has_request_context() and request.path.startswith(prefix) else ""
        left_out = {ns for ns in lazy if path not in drawing[ns]}
        return [dict(r, dynamic=True) if r.get("namespace") in left_out else r for r in everything(dev_bundles)]

    app.scripts.get_all_scripts = get_all_scripts  # type: ignore[method-assign]  # this app's pages only
    config = json.dumps(libraries).replace("<", "\\u003c")
    app.index_string = app.index_string.replace(
        "{%scripts%}", f'<script type="application/json" id="{LAZY_CONFIG_ID}">{config}</script>\n{{%scripts%}}')


def bundle_version(path: Path) -> str | None:
    """The version a plotly.js bundle's header names (``* plotly.js (basic - minified) v4.1.1``), if any."""
    with path.open(encoding="utf-8") as bundle:
        found = re.search(r"\* plotly\.js [^\n]*?v(\d+\.\d+\.\d+)", bundle.read(400))
    return found.group(1) if found else None


def install_plotly_basic(app: Dash, bundle: Path) -> bool:
    """Serve plotly.js's basic bundle where dcc.Graph fetches plotly.js, when it is of the version the plotly package
    brings (the figures are written for that one); else the full bundle stays, and a warning says why. Whether the
    basic bundle is served."""
    wanted, found = get_plotlyjs_version(), bundle_version(bundle) if bundle.is_file() else None
    if found != wanted:
        log.warning("charts load the full plotly.js %s: the basic bundle %s is %s", wanted, bundle,
                    f"of version {found}" if found else "missing")
        return False

    body = bundle.read_bytes()  # held whole, so the compression compresses it (once) as it does Dash's files
    etag = hashlib.blake2b(body, digest_size=16).hexdigest()

    def plotly_basic() -> Response:
        response = Response(body, mimetype="text/javascript")
        response.set_etag(etag)
        response.cache_control.no_cache = True  # its address names no version: asked again, answered 304
        return response.make_conditional(request)

    # a rule of fixed text: Werkzeug tries it before Dash's rule for every library file, which has variable parts
    app.server.add_url_rule(app.config.routes_pathname_prefix + PLOTLY_PATH, "huddle_plotly_basic", plotly_basic)
    return True


def install_light_pages(app: Dash, assets: Path) -> None:
    """Compressed answers, a year's cache for versioned files, cytoscape only where a tree is drawn, and plotly.js's
    basic bundle (from the ``assets`` folder) for charts."""
    install_compression(app.server, app.config.routes_pathname_prefix)
    install_long_cache(app)
    install_lazy_libraries(app)
    install_plotly_basic(app, assets / PLOTLY_BASIC)
