"""Import a sibling bench script by its path: the scripts run as files (``python tests/bench/bench_x.py``), not as
a package, and reuse each other's plant builders and floors."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def import_sibling(name: str) -> ModuleType:
    """``tests/bench/<name>.py`` as a module (registered in ``sys.modules`` so its dataclasses resolve)."""
    if name in sys.modules:
        return sys.modules[name]
    path = Path(__file__).resolve().with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the module runs
    spec.loader.exec_module(module)
    return module
