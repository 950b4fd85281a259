"""Light pages on the wire: answers are compressed when the browser accepts it, files whose address names their
version are cached for a year (the page itself is not), the tree's graph library is left out of every page but
served to the page that fetches it, and charts get plotly.js's basic bundle."""

from __future__ import annotations

import gzip
import json
import logging
import re
from pathlib import Path
from typing import Any

import brotli
import plotly
import pytest
from dash import Dash
from huddle.dashboard.web.light import (
    LAZY_CONFIG_ID,
    LONG_CACHE,
    PLOTLY_BASIC,
    PLOTLY_PATH,
    bundle_version,
    install_plotly_basic,
)
from plotly.offline import get_plotlyjs_version

GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def services(make_services):  # type: ignore[no-untyped-def]
    """The small plant on SQLite (what goes on the wire does not depend on the database)."""
    return make_services()


def _page(app_client: Any, path: str = "/board") -> str:
    """A page's HTML as the browser reads it."""
    answer = app_client.get(path, headers=GZIP)
    assert answer.status_code == 200
    return gzip.decompress(answer.data).decode()


def _scripts(page: str) -> list[str]:
    return re.findall(r'<script[^>]*\bsrc="([^"]+)"', page)


def _lazy(page: str) -> dict[str, Any]:
    found = re.search(rf'<script type="application/json" id="{LAZY_CONFIG_ID}">(.*?)</script>', page)
    assert found, "the page names no library to fetch on demand"
    return dict(json.loads(found.group(1)))


def test_a_page_its_scripts_and_its_data_are_gzipped_when_the_browser_accepts_gzip(app_client) -> None:  # type: ignore[no-untyped-def]
    answer = app_client.get("/board", headers=GZIP)
    assert answer.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in answer.headers["Vary"]
    page = gzip.decompress(answer.data).decode()
    assert "<html" in page and len(answer.data) < len(page) / 3
    renderer = next(s for s in _scripts(page) if "dash_renderer" in s)
    for path in (renderer, "/_dash-layout", "/_dash-dependencies", "/api/v1/board"):
        plain = app_client.get(path)
        assert plain.status_code == 200, path
        assert "Content-Encoding" not in plain.headers, path  # a client that accepts nothing gets the bytes as is
        packed = app_client.get(path, headers=GZIP)
        assert packed.headers["Content-Encoding"] == "gzip", path
        assert gzip.decompress(packed.data) == plain.data, path
        assert len(packed.data) < len(plain.data), path


def test_brotli_is_chosen_when_the_browser_accepts_it(app_client) -> None:  # type: ignore[no-untyped-def]
    css = next(s for s in re.findall(r'href="([^"]+\.css[^"]*)"', _page(app_client)))
    for path in ("/_dash-layout", css):  # the page's layout, and a file under assets/ (sent as a stream)
        plain = app_client.get(path)
        packed = app_client.get(path, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
        assert packed.headers["Content-Encoding"] == "br", path
        assert brotli.decompress(packed.data) == plain.data, path


def test_versioned_files_are_cached_for_a_year_and_the_page_is_not(app_client) -> None:  # type: ignore[no-untyped-def]
    page = _page(app_client)
    versioned = [*_scripts(page), *re.findall(r'href="(/assets/[^"]+)"', page)]
    assert any(s.startswith("/assets/") and "?m=" in s for s in versioned)  # huddle.css, the icon, the scripts
    assert any("/_dash-component-suites/" in s for s in versioned)
    for path in versioned:
        answer = app_client.get(path, headers=GZIP)
        assert answer.status_code == 200, path
        assert answer.headers["Cache-Control"] == LONG_CACHE, path
    assert "max-age" not in app_client.get("/board").headers.get("Cache-Control", "")
    unversioned = app_client.get("/assets/huddle.css")  # an address that does not change with the file
    assert unversioned.status_code == 200
    assert "max-age=31536000" not in unversioned.headers.get("Cache-Control", "")


def test_the_tree_library_is_left_out_of_pages_that_draw_no_tree_and_served_on_demand(app_client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/board", "/", "/okr", "/review"):
        page = _page(app_client, path)
        assert not [s for s in _scripts(page) if "dash_cytoscape" in s], path
        assert "lazy_libraries" in " ".join(_scripts(page)), path
    board = _page(app_client, "/board")
    library = _lazy(board)["dash_cytoscape"]  # for the board's link to the tree
    assert "Cytoscape" in library["components"]
    answer = app_client.get(library["url"], headers=GZIP)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == LONG_CACHE
    assert b"window.dash_cytoscape=" in gzip.decompress(answer.data)
    again = app_client.get(library["url"], headers=GZIP)  # compressed once, kept: the same bytes
    assert again.data == answer.data


def test_the_tree_opened_at_its_address_carries_the_library_beside_the_other_scripts(app_client) -> None:  # type: ignore[no-untyped-def]
    tree = _page(app_client, "/tree")
    carried = [s for s in _scripts(tree) if "dash_cytoscape" in s]
    assert carried == [_lazy(tree)["dash_cytoscape"]["url"]]  # the same address: one copy in the browser's cache
    renderer = next(i for i, s in enumerate(_scripts(tree)) if "dash_renderer" in s)
    assert _scripts(tree).index(carried[0]) < renderer


def test_a_room_of_tvs_sent_the_same_board_compresses_it_once(app_client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import flask_compress.flask_compress as fc
    from huddle.dashboard.web import light
    from huddle.dashboard.web.address import BoardAddress

    monkeypatch.setattr(light, "ANSWER_MIN_BYTES", 0)  # the small plant's boards are small
    compressed: list[bytes] = []
    real = fc._compress_data
    monkeypatch.setattr(fc, "_compress_data", lambda app, data, algorithm: compressed.append(data) or
                        real(app, data, algorithm))
    bodies: dict[str, list[bytes]] = {}
    for scope in ("plant", "L1") * 5:
        view = BoardAddress.from_query({"scope": scope, "date": "2026-11-20", "shift": "E"}).as_view()
        answer = app_client.post("/_dash-update-component", headers={
            "Origin": "http://localhost", "Accept-Encoding": "gzip, deflate, br, zstd"}, json={
            "output": "..board-body.children...board-key.data..",
            "outputs": [{"id": "board-body", "property": "children"}, {"id": "board-key", "property": "data"}],
            "inputs": [{"id": "board-refresh", "property": "n_intervals", "value": None},
                       {"id": "board-cycle", "property": "n_intervals", "value": None},
                       {"id": "board-view", "property": "data", "value": view},
                       {"id": "action-changed", "property": "data", "value": 0}],
            "state": [{"id": "board-key", "property": "data", "value": None}], "changedPropIds": []})
        assert answer.status_code == 200 and answer.headers["Content-Encoding"] == "br"
        bodies.setdefault(scope, []).append(brotli.decompress(answer.data))
    assert not set(bodies["plant"]) & set(bodies["L1"])  # each TV gets its own board, never another's
    # each distinct answer compressed once (a key naming the clock's second can make a board's answers differ)
    distinct = {b for answers in bodies.values() for b in answers}
    assert sorted(compressed) == sorted(distinct) and len(distinct) < 10


def test_only_the_latest_answers_are_kept_compressed(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from huddle.dashboard.web import light

    monkeypatch.setattr(light, "ANSWERS_KEPT", 2)
    bodies = light._LibraryBodies()
    bodies.set("br;dash/dash-renderer/build/dash_renderer.min.js", b"library")
    for n in range(3):
        bodies.set(f"br;{light.ANSWER}{n}", b"answer %d" % n)
    bodies.set("br;", b"an answer that changes")
    assert bodies.get(f"br;{light.ANSWER}0") is None and bodies.get(f"br;{light.ANSWER}2") == b"answer 2"
    assert bodies.get("br;dash/dash-renderer/build/dash_renderer.min.js") == b"library" and bodies.get("br;") is None


def test_an_english_page_loads_no_month_names_for_its_date_pickers(app_client) -> None:  # type: ignore[no-untyped-def]
    # a language's names are loaded by its own pages only (the German plant's: tests/e2e/test_language_browser.py);
    # an English page loading any would make its pickers speak that language in any browser
    scripts = _scripts(_page(app_client, "/tree"))
    assert scripts and not [s for s in scripts if "date-fns" in s]
    assert app_client.get("/assets/date-fns-de.min.js").status_code == 200  # served to the pages that name it


def test_charts_get_plotlys_basic_bundle_of_the_packages_version_compressed_and_revalidated(app_client) -> None:  # type: ignore[no-untyped-def]
    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    answer = app_client.get("/" + PLOTLY_PATH)
    assert answer.status_code == 200 and answer.mimetype == "text/javascript"
    assert answer.data.startswith(f"/**\n* plotly.js (basic - minified) v{get_plotlyjs_version()}\n".encode())
    assert len(answer.data) < full.stat().st_size / 3
    assert answer.headers["Cache-Control"] == "no-cache"  # its address names no version
    packed = app_client.get("/" + PLOTLY_PATH, headers={"Accept-Encoding": "br"})
    assert packed.headers["Content-Encoding"] == "br" and brotli.decompress(packed.data) == answer.data
    again = app_client.get("/" + PLOTLY_PATH, headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_basic_bundle_of_another_version_is_not_served_and_a_warning_says_why(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / PLOTLY_BASIC
    other.write_text("/**\n* plotly.js (basic - minified) v0.0.1\n*/\nwindow.Plotly = {};\n", encoding="utf-8")
    app = Dash(__name__)
    with caplog.at_level(logging.WARNING, logger="huddle.dashboard.web.light"):
        assert install_plotly_basic(app, other) is False
    assert f"charts load the full plotly.js {get_plotlyjs_version()}" in caplog.text and "0.0.1" in caplog.text
    assert install_plotly_basic(app, tmp_path / "missing.js") is False and "missing" in caplog.text
    assert bundle_version(other) == "0.0.1"
    assert not [rule for rule in app.server.url_map.iter_rules() if rule.endpoint == "huddle_plotly_basic"]
