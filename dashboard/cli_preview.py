"""``huddle check --source KEY FILE``: how a file would map through a source before it is dropped in the inbox —
how it was read, where each of Huddle's columns comes from, its first rows as read and its first refusals. Nothing
is stored. It ends with "check: ok" (exit 0) when every row would load, else "check: failed" (exit 1)."""

from __future__ import annotations

from pathlib import Path

from huddle.dashboard.core.plant import ConfigError, load_plant
from huddle.dashboard.settings import Settings
from huddle.data.ingest.preview import preview_file


def cmd_preview(settings: Settings, key: str, file: str) -> int:
    """Print how ``file`` maps through the source ``key``; exit 1 when the file or a row would be refused."""
    try:
        config = load_plant(settings.plant_path, settings.data_dir)
    except ConfigError as exc:
        print(f"error: {exc}\ncheck: failed")
        return 1
    source = config.sources.get(key)
    if source is None or source.kind == "mqtt":
        known = ", ".join(k for k, s in config.sources.items() if s.kind != "mqtt") or "none"
        print(f"error: no files or SQL source {key!r} in {settings.plant_path} (sources: {known})\ncheck: failed")
        return 1
    path = Path(file)
    if not path.is_file():
        print(f"error: no file {file}\ncheck: failed")
        return 1
    p = preview_file(config, source, path)
    print(f"{path.name} through source {key} ({source.record}):")
    if p.error:
        print(f"  refused whole: {p.error}\ncheck: failed — the file would be refused")
        return 1
    print(f"  read as {p.note}")
    print("  columns: " + ", ".join(f"{name} ← {where}" for name, where in p.columns))
    if p.rows:
        print("  first rows as read:")
        for line, values in p.rows:
            print(f"    line {line}: " + ", ".join(f"{c} {v}" for c, v in values if v != ""))
    if p.refusals:
        print("  first refusals:")
        for line, column, value, reason in p.refusals:
            where = f", {column} {value!r}" if column else ""
            print(f"    line {line}{where}: {reason}")
    rows = f"{p.read} row{'' if p.read == 1 else 's'} read, {p.refused} refused"
    print(f"check: {'failed' if p.refused else 'ok'} — {rows}")
    return 1 if p.refused else 0
