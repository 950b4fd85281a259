"""The JSON API behind the TV and the tree, timed as a client gets it: ``run_all.py``'s API rows.

Each request goes through the whole web app (``create_app``, anonymous reading on, Flask's test client: routing,
the query's checks, the read model and its JSON; no socket) and is timed against the same SQL floor as the view it
serves, measured in the same run:

- ``GET /api/v1/board`` for the last complete shift, one line and the plant, against ``bench_board``'s headline
  floor (the shift's sums and top losses); its OEE is compared with the floor's;
- ``GET /api/v1/tree`` for the last complete month, one line and the plant, against ``bench_tree``'s floor of the
  month and the month before; every node's value is compared with the floor's;
- ``GET /api/v1/tree/node`` for unplanned downtime over the same month, against ``bench_tree``'s panel floor; the
  value and the trend are compared with the floor's.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from huddle.dashboard.heap import settle_heap
from huddle.dashboard.services.container import Services
from huddle.dashboard.settings import Settings
from huddle.dashboard.web.app import create_app
from siblings import import_sibling

benchtable = import_sibling("benchtable")
bdp = import_sibling("bench_data_path")
bb = import_sibling("bench_board")
bt = import_sibling("bench_tree")


PANEL_KPI = "unplanned_downtime"  # the panel with events behind it: the heaviest


def _get(client: Any, url: str) -> dict[str, Any]:
    """The JSON of a GET that must succeed."""
    answer = client.get(url)
    if answer.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {answer.status_code} {answer.get_data(as_text=True)[:200]}")
    return answer.get_json()


def _board_oee(answer: dict[str, Any]) -> float | None:
    """The OEE of the API's board."""
    return next(k["value"] for c in answer["columns"] for k in c["kpis"] if k["kpi"] == "oee")


def measure_api(settings: Settings, services: Services, board_cases: list[Any], last_loaded: date, runs: int,
                summary: Any, settle: bool = False) -> list[Any]:
    """The API rows of the table: board (line, plant), tree and node panel (month, line and plant); with ``settle``,
    the heap set aside from the collector once the app is built, as the server does."""
    app = create_app(replace(settings, anonymous_access="read"), services=services)
    if settle:
        settle_heap()
    client = app.server.test_client()
    rows: list[Any] = []
    print("\n== the JSON API through the web app (Flask's test client)", flush=True)
    with services.db.connect() as conn:
        for case in board_cases:
            url = (f"/api/v1/board?scope={case.scope}&date={case.period.first.isoformat()}"
                   f"&shift={case.period.shift}")
            timing, answer = benchtable.timed(lambda url=url: _get(client, url), runs)
            floor_timing, floor = benchtable.timed(lambda case=case: bb.headline_floor(conn, case), runs)
            check = bdp.agree(_board_oee(answer), bdp.facts_oee(floor.sums))
            print(f"  {url:60s} {timing}  floor {floor_timing.short}  OEE {check}")
            rows.append(benchtable.BenchRow(f"API board {case.label}", timing, floor_timing, check))
        config = services.config
        keys = config.trees["oee"].nodes()
        month = bt.complete_periods(last_loaded)["month"]
        line = next(c.scope for c in board_cases if c.label == "line")
        kpi = PANEL_KPI
        for label, scope, line_filter in (("plant", "plant", None), ("line", line, line)):
            case = bt.Case(f"month {label}", scope, month, line_filter)
            url = f"/api/v1/tree?tree=oee&scope={scope}&grain=month&period={month.label}"
            timing, answer = benchtable.timed(lambda url=url: _get(client, url), runs)
            query = bt.sums_sql(bt.needed_measures(config, keys), line_filter is not None, None,
                                services.db.dialect.name, months=True)  # a month: its month rows
            floor_timing, floor = benchtable.timed(
                lambda case=case, query=query: (bt.tree_floor(conn, config, keys, query, case.params),
                                                bt.tree_floor(conn, config, keys, query, case.previous_params())),
                runs)
            values = {n["kpi"]: n["value"] for n in answer["nodes"]}
            check = bt.agree_all(values, floor[0])
            print(f"  {url:60s} {timing}  floor {floor_timing.short}  nodes {check}")
            rows.append(benchtable.BenchRow(f"API tree {case.label}", timing, floor_timing, check))
            url = f"/api/v1/tree/node?tree=oee&kpi={kpi}&scope={scope}&grain=month&period={month.label}"
            timing, answer = benchtable.timed(lambda url=url: _get(client, url), runs)
            queries = bt.panel_queries(services, case, kpi)
            floor_timing, panel = benchtable.timed(
                lambda case=case, queries=queries: bt.panel_floor(conn, services, case, kpi, queries), runs)
            check = bdp.agree(answer["reading"]["value"], panel.value)
            print(f"  {url:60s} {timing}  floor {floor_timing.short}  value {check}")
            rows.append(benchtable.BenchRow(f"API panel {kpi} {case.label}", timing, floor_timing, check))
    summary.add("API", ", ".join(f"{r.view} {r.time.median:.1f} ms" for r in rows))
    return rows
