"""The benchmarks' quick run (``tests/bench/run_all.py --quick``) as a test: every view of every bench script on a
small plant, on each database, must give the values of its hand-written SQL floor (and each export, the PDF pack and
the OKR workbook, the values it was made from).

Times are measured and never judged: the machines the suite runs on are shared and noisy.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

RUN_ALL = Path(__file__).resolve().parents[1] / "bench" / "run_all.py"


def _run_all() -> ModuleType:
    """``tests/bench/run_all.py`` as a module (the bench scripts are files, not a package)."""
    if "run_all" in sys.modules:
        return sys.modules["run_all"]
    spec = importlib.util.spec_from_file_location("run_all", RUN_ALL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_all"] = module
    spec.loader.exec_module(module)
    return module


def test_every_view_agrees_with_its_floor(database_url: str, tmp_path: Path) -> None:
    run_all = _run_all()
    quick = run_all.QUICK
    rows = run_all.measure_database(tmp_path / "plant", quick["lines"], quick["years"], quick["runs"], database_url,
                                    database_url.split(":")[0].split("+")[0])
    views = {r.view for r in rows}
    for expected in ("board line: data", "board plant: data + render", "board line: data + render + JSON",
                     "line shift readings", "tree month plant",
                     "panel unplanned_downtime month plant", "review area", "OKR quarter, every level",
                     "review PDF, plant", "OKR Excel, quarter"):
        assert expected in views, f"{expected!r} was not measured: {sorted(views)}"
    assert all(r.time.median > 0 and r.floor.median > 0 for r in rows)
    differ = [f"{r.view}: {r.agree}" for r in rows if not r.ok]
    assert not differ, "values disagree with their floor:\n" + "\n".join(differ)
