"""A web worker sets the heap it built at start-up aside from the cyclic garbage collector (``huddle.dashboard.heap``):
its app, pages and services live as long as it does, and every full collection a request set off walked them all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BUILD_AND_COUNT = ("import gc; from huddle.dashboard.wsgi import create_server; server = create_server(); "
                   "print(gc.get_freeze_count(), gc.get_count()[2], gc.get_threshold()[0])")


def test_a_web_worker_sets_what_it_built_at_start_up_aside(tmp_path: Path, plant_file: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUDDLE_")}
    env |= {"HUDDLE_DATA_DIR": str(tmp_path / "data"), "HUDDLE_PLANT_CONFIG": str(plant_file)}
    result = subprocess.run([sys.executable, "-c", BUILD_AND_COUNT], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    frozen, oldest, young = (int(n) for n in result.stdout.split())
    # the app as built (some two hundred thousand objects) is out of the collector's walks; nothing is left waiting
    # in its oldest generation
    assert frozen > 100_000
    assert oldest == 0
    assert young == 10_000  # the youngest objects are collected less often than CPython's default 700
