"""The page address, read and written in one place (``dashboard/web/address.py``): each page's parameters read
from a query, judged against the small plant and a fixed clock, the page's words for what cannot be shown, the
API's query with the parameter named, and the links pages build. No database and no server."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import yaml
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.core.plant import PlantConfig, parse_plant
from huddle.dashboard.web.address import (
    AddressError,
    BoardAddress,
    OkrAddress,
    OverviewAddress,
    ReviewAddress,
    StackAddress,
    TreeAddress,
    api_href,
    board_href,
    board_search,
    href,
    keep_address_js,
    okr_href,
    review_href,
    tree_href,
)
from huddle.dashboard.web.api_query import ApiQuery

from tests.conftest import SMALL_PLANT

NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)  # 15:30 in Berlin: the early shift has ended, the late one runs
EARLY = parse_period("shift", "2026-11-20/E")
OUTSIDE = "is outside the dates Huddle can show (1900-01-01 to 9998-12-31)"


@pytest.fixture(scope="module")
def config() -> PlantConfig:
    """The small plant of the shared fixtures, parsed (no file, no database)."""
    return parse_plant(yaml.safe_load(SMALL_PLANT))


def refused(call, *args):  # type: ignore[no-untyped-def]
    """The ``AddressError`` a call raises."""
    with pytest.raises(AddressError) as caught:
        call(*args)
    return caught.value


# ---- the board ---------------------------------------------------------------------------------------------


def test_a_board_address_reads_its_parameters_and_holds_its_timings_in_range() -> None:
    view = BoardAddress.from_query({"scopes": "L1,L2", "cycle": "9999", "refresh": "2", "timer": "x", "kiosk": "yes"})
    assert view.as_view() == {"scope": "L1", "scopes": ["L1", "L2"], "date": "", "shift": "", "live": False,
                              "kiosk": True, "cycle": 3600, "refresh": 10, "timer": 0, "layer": ""}
    assert BoardAddress.from_query({}).as_view()["scope"] == "plant"
    assert BoardAddress.from_view(view.as_view()) == view  # what the store keeps reads back the same
    assert BoardAddress.from_view({"scope": ["x"], "scopes": "L1", "cycle": True}) == BoardAddress()  # odd values


def test_the_board_shows_the_shift_asked_for_or_the_one_that_just_ended(config: PlantConfig) -> None:
    assert BoardAddress(scope="L1", date="2026-11-20", shift="E").resolve(config, NOW) == ("L1", EARLY)
    assert BoardAddress().resolve(config, NOW) == ("plant", EARLY)
    assert BoardAddress(live=True).resolve(config, NOW).period == parse_period("shift", "2026-11-20/L")
    playlist = BoardAddress(scopes=("L1", "L2"), cycle=30)
    assert [playlist.resolve(config, NOW, n).scope for n in (0, 1, 2)] == ["L1", "L2", "L1"]


@pytest.mark.parametrize("address, parameter, words", [
    (BoardAddress(scope="L9"), "scope", "unknown scope 'L9'"),
    (BoardAddress(date="2026-11-20", shift="X"), "shift",
     "shift 'X' is not a shift of this plant: use one of E (Early), L (Late), N (Night)"),
    (BoardAddress(date="9999-12-31", shift="N"), "date", f"There is no such date on the board: 9999-12-31 {OUTSIDE}."),
    (BoardAddress(date="20.11.2026", shift="E"), "date",
     "There is no such date: 20.11.2026 (expected like 2026-11-20)."),
    (BoardAddress(shift="E"), "date", "There is no such date: none (expected like 2026-11-20)."),
])
def test_a_board_address_it_cannot_show_says_why(config: PlantConfig, address: BoardAddress, parameter: str,
                                                 words: str) -> None:
    error = refused(address.resolve, config, NOW)
    assert error.parameter == parameter and words in str(error)


def test_in_the_night_the_board_shows_the_late_shift_and_live_the_night(config: PlantConfig) -> None:
    night = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 05:00 in Berlin: the night shift of the 19th runs
    assert BoardAddress().resolve(config, night).period.label == "2026-11-19/L"
    assert BoardAddress(live=True).resolve(config, night).period.label == "2026-11-19/N"


# ---- the tree ----------------------------------------------------------------------------------------------


def test_a_tree_address_fills_in_its_defaults(config: PlantConfig) -> None:
    assert TreeAddress.from_query({"tree": "oee", "node": "availability", "x": "y"}).as_view() == {
        "tree": "oee", "scope": "", "grain": "", "date": "", "shift": "", "node": "availability",
        "layer": ""}
    # the first tree, the plant, the last production day whose shifts have all ended
    assert TreeAddress().resolve(config, NOW) == ("oee", "plant", parse_period("day", "2026-11-19"))
    # a shift without a shift key: the one that ended last on that date
    assert TreeAddress(grain="shift", date="2026-11-20").resolve(config, NOW).period == EARLY
    assert TreeAddress(grain="shift", date="2026-11-18").resolve(config, NOW).period.label == "2026-11-18/N"
    assert TreeAddress(scope="L1", grain="week", date="2026-11-20").resolve(config, NOW).period.label == "2026-W47"


@pytest.mark.parametrize("address, parameter, words", [
    (TreeAddress(tree="cost"), "tree", "There is no tree 'cost'; this plant has oee."),
    (TreeAddress(scope="L9"), "scope", "There is no line or area 'L9' in Example Plant."),
    (TreeAddress(grain="year"), "grain", "A tree is read for a shift, day, week or month, not 'year'."),
    (TreeAddress(date="20.11.2026"), "date", "The date '20.11.2026' is not a date: "),
    (TreeAddress(date="0001-01-01"), "date", f"There is no such date in the tree: 0001-01-01 {OUTSIDE}."),
    (TreeAddress(grain="shift", shift="X"), "shift", "There is no shift 'X'; the shifts are E, L, N."),
])
def test_a_tree_address_it_cannot_show_says_why(config: PlantConfig, address: TreeAddress, parameter: str,
                                                words: str) -> None:
    error = refused(address.resolve, config, NOW)
    assert error.parameter == parameter and words in str(error)


# ---- the review and the OKRs -------------------------------------------------------------------------------


def test_a_review_address_names_a_scope_and_a_month_that_has_started(config: PlantConfig) -> None:
    assert ReviewAddress().resolve(config, NOW) == ("plant", parse_period("month", "2026-10"))
    assert ReviewAddress(scope="L2", month="2026-11").resolve(config, NOW) == ("L2", parse_period("month", "2026-11"))
    for address, words in ((ReviewAddress(scope="L9"), "There is no line or area 'L9' in Example Plant."),
                           (ReviewAddress(month="0001-01"), f"There is no such month to review: 0001-01 {OUTSIDE}."),
                           (ReviewAddress(month="2026-13"), "The month '2026-13' is not a month like 2026-10: "),
                           (ReviewAddress(month="2026-12"), "December 2026 has not started yet.")):
        assert words in str(refused(address.resolve, config, NOW))


def test_an_okr_address_names_a_quarter_and_a_level(config: PlantConfig) -> None:
    today = date(2026, 11, 20)
    assert OkrAddress().resolve(config, today) == ("2026-Q4", None)
    assert OkrAddress(quarter="2027-Q1", scope="all").resolve(config, today) == ("2027-Q1", None)
    assert OkrAddress(scope="company").resolve(config, today) == ("2026-Q4", "company")
    assert OkrAddress(scope="a").resolve(config, today) == ("2026-Q4", "a")
    assert refused(OkrAddress(quarter="2026-Q5").resolve, config, today).parameter == "quarter"
    assert f"9999-Q4 {OUTSIDE}" in str(refused(OkrAddress(quarter="9999-Q4").resolve, config, today))
    assert "unknown scope 'L9'" in str(refused(OkrAddress(scope="L9").resolve, config, today))


# ---- the API's query ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, call, named", [
    ({"scope": "L9"}, lambda q: q.scope(), "scope: unknown scope 'L9'"),
    ({"grain": "fortnight"}, lambda q: q.grain("day"), "grain: expected one of shift, day, week, month"),
    ({"period": "2026-47"}, lambda q: q.period("week"), "period: week '2026-47': expected like 2026-W47"),
    ({"period": "2026-11-20/X"}, lambda q: q.period("shift"), "shift 'X' is not a shift of this plant"),
    ({"date": "9999-12-31", "shift": "N"}, lambda q: q.period("shift"), f"date: 9999-12-31 {OUTSIDE}"),
    ({"from": "2026-11-01"}, lambda q: q.date_range(), "from and to: give both"),
    ({"from": "2026-11-20", "to": "2026-11-01"}, lambda q: q.date_range(), "from: 2026-11-20 comes after to"),
    ({"from": "2016-01-01", "to": "2026-11-01"}, lambda q: q.date_range(), "to: more than ten years after from"),
    ({"from": "2026-11-20", "to": "31.12.2026"}, lambda q: q.date_range(), "to: day '31.12.2026'"),
    ({"kpi": "oee,nope"}, lambda q: q.kpis(), "kpi: unknown nope (known: oee,"),
    ({"tree": "cost"}, lambda q: q.tree(), "tree: unknown 'cost' (known: oee)"),
    ({"kpi": "trir"}, lambda q: q.node("oee"), "kpi: 'trir' is not a node of tree 'oee'"),
    ({"month": "0001-02"}, lambda q: q.month(), f"month: 0001-02 {OUTSIDE}"),
    ({"quarter": "0001-Q1"}, lambda q: q.quarter(), f"quarter: 0001-Q1 {OUTSIDE}"),
    ({"scope": "L9"}, lambda q: q.okr_scope(), "scope: unknown scope 'L9'"),
])
def test_a_bad_api_parameter_is_named(config: PlantConfig, args: dict[str, str], call, named: str) -> None:  # type: ignore[no-untyped-def]
    error = refused(call, ApiQuery(args, config))
    assert named in error.named()


def test_the_api_query_reads_what_it_is_given_and_leaves_defaults_to_the_caller(config: PlantConfig) -> None:
    query = ApiQuery({"line": "L2", "grain": "shift", "date": "2026-11-20", "shift": "E", "from": "2026-11-01",
                      "to": "2026-11-20", "month": "2026-10", "quarter": "2026-Q4"}, config)
    assert query.scope() == "L2"
    assert query.period("shift") == EARLY and query.date_range() == (date(2026, 11, 1), date(2026, 11, 20))
    assert query.month() == parse_period("month", "2026-10") and query.quarter() == parse_period("quarter", "2026-Q4")
    assert ApiQuery({"scope": "company"}, config).okr_scope() == "company" and query.kpis() == list(config.kpis)
    empty = ApiQuery({}, config)
    assert (empty.scope(), empty.period("day"), empty.month(), empty.quarter(), empty.okr_scope(),
            empty.date_range(), empty.tree(), empty.node("oee")) == ("plant", None, None, None, None, None, "oee",
                                                                     "oee")
    assert ApiQuery({"area": "a"}, config).scope() == "a"


# ---- links -------------------------------------------------------------------------------------------------


def test_links_carry_their_page_parameters_and_the_site_when_named() -> None:
    assert board_href("L1", kiosk=True, live=True) == "/board?scope=L1&kiosk=1&live=1"
    assert board_search("L2") == "?scope=L2" and board_href(site="lake") == "/board?site=lake"
    assert tree_href("oee", "L2", EARLY, "availability") == \
        "/tree?tree=oee&scope=L2&grain=shift&date=2026-11-20&node=availability&shift=E"
    assert tree_href("oee", "L2", parse_period("week", "2026-W47"), "oee", site="lake") == \
        "/tree?site=lake&tree=oee&scope=L2&grain=week&date=2026-11-22&node=oee"
    assert tree_href(site="lake") == "/tree?site=lake"
    assert review_href("L1", parse_period("month", "2026-10")) == "/review?scope=L1&month=2026-10"
    assert okr_href(scope="L1") == "/okr?scope=L1" and okr_href("2027-Q1") == "/okr?quarter=2027-Q1"
    assert api_href("review.pdf", scope="L 1", month="2026-10") == "/api/v1/review.pdf?scope=L+1&month=2026-10"
    assert href("/x", {"a": None, "b": "", "c": False, "d": 0}) == "/x?d=0"


def test_the_browser_writes_back_only_the_names_the_address_reads() -> None:
    tree = keep_address_js(TreeAddress, second="node", answer=True)
    assert '"names": ["tree", "scope", "grain", "date", "shift", "node", "layer"]' in tree and '"path": "/tree"' in tree
    assert 'values["node"] = second' in tree and "return written" in tree
    review = keep_address_js(ReviewAddress)
    assert '"names": ["scope", "month", "layer"]' in review and "return window.dash_clientside.no_update; }" in review
    assert '"names": ["quarter", "scope", "layer"]' in keep_address_js(OkrAddress)
    assert '"names": ["scope", "layer"]' in keep_address_js(StackAddress) and '"path": "/stack"' in \
        keep_address_js(StackAddress)


# ---- the layer filter (every page that lists KPIs) ---------------------------------------------------------


@pytest.mark.parametrize("address", [BoardAddress, TreeAddress, ReviewAddress, OkrAddress, StackAddress,
                                     OverviewAddress])
def test_every_page_listing_kpis_reads_the_layer_filter_and_keeps_it_in_its_view(address) -> None:  # type: ignore[no-untyped-def]
    view = address.from_query({"layer": "2", "scope": "L1"})
    assert view.layer == "2" and view.as_view()["layer"] == "2"
    assert address.from_view(view.as_view()) == view  # the store's view reads back with its layer
    assert address.from_query({}).layer == "" and address.from_view({"layer": ["2"]}).layer == ""
    assert '"layer"' in keep_address_js(address)  # the browser writes it back into the address


def test_the_board_reads_its_layers_and_names_a_bad_one(config: PlantConfig) -> None:
    assert BoardAddress.from_query({"layer": "2"}).layers() == (2,)
    assert BoardAddress.from_query({"layer": "3,1,3"}).layers() == (1, 3)
    assert BoardAddress.from_query({}).layers() == ()
    error = refused(BoardAddress.from_query({"layer": "7"}).layers)
    assert error.parameter == "layer" and error.message == "There is no layer '7': the layers are 1 to 5."
    assert refused(BoardAddress.from_query({"layer": "two"}).layers).parameter == "layer"
    # the layer filter does not change what is shown: the same scope and shift
    assert BoardAddress.from_query({"layer": "2", "scope": "L1"}).resolve(config, NOW) == \
        BoardAddress.from_query({"scope": "L1"}).resolve(config, NOW)


def test_layer_links_round_trip_through_the_addresses() -> None:
    assert board_href("L1", live=True, layer="2") == "/board?scope=L1&live=1&layer=2"
    assert board_search("L1", layer="") == "?scope=L1"  # every layer: no parameter
    assert tree_href("oee", "L2", layer="1,2") == "/tree?tree=oee&scope=L2&layer=1%2C2"
    assert review_href("L1", layer="3") == "/review?scope=L1&layer=3"
    assert okr_href("2026-Q4", "L1", layer="4") == "/okr?quarter=2026-Q4&scope=L1&layer=4"
    for link, address in ((board_href("L1", kiosk=True, layer="2"), BoardAddress),
                          (tree_href("oee", "L2", EARLY, "oee", layer="1,2"), TreeAddress),
                          (okr_href("2026-Q4", "L1", layer="4"), OkrAddress)):
        query = dict(part.split("=") for part in link.split("?")[1].replace("%2C", ",").split("&"))
        assert address.from_query(query).layer == query["layer"]


def test_the_overview_address_reads_its_grain_and_layers() -> None:
    view = OverviewAddress.from_query({"grain": "week", "layer": "2,4"})
    assert view.as_view() == {"grain": "week", "layer": "2,4"} and view.layers() == (2, 4)
    assert OverviewAddress.from_query({}).layers() == ()
    assert refused(OverviewAddress(layer="0").layers).parameter == "layer"
    assert '"path": "/"' in keep_address_js(OverviewAddress)
