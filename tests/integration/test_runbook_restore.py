"""The runbook's commands run as docs/production.md writes them: the first import of a plant's own files, an
upgrade, a nightly backup and a restore (stop, rename the old database, restore, ``huddle init``, start) on
PostgreSQL, and the backup and restore of the embedded SQLite file.

The commands are read from the fenced blocks marked ``<!-- runbook: NAME -->`` in the guide, so the guide and this
test cannot drift apart; only the database's name (``huddle``, also its owner), the paths and the ``sudo -u`` prefix
are swapped for the test's own, and ``systemctl`` lines become stopping and starting the plant's services here. The
API's answers after the restore are those from before the backup (numbers at the precision pages show them), a
change made after the backup is gone (it stays in the renamed database), and the data version has moved past every
value it had, so no screen or render cache can take the restored data for a board it drew before.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.core.format import format_value
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.conftest import POSTGRES_ENV, SMALL_NOW, client_for, write_past

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "production.md"
MARKED = re.compile(r"<!-- runbook: (?P<name>[\w-]+) -->\s*```bash\n(?P<body>.*?)\n\s*```", re.DOTALL)

COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-20 06:00,2026-11-20 10:00,,10000,9800,1200
L1,2026-11-20 10:00,2026-11-20 14:00,,9271,9048,1200
L2,2026-11-20 06:00,2026-11-20 14:00,,2200,2110,2400
"""
STOPS = """line;start;end;reason;category;equipment
L1;2026-11-20 07:00;2026-11-20 07:30;Filler jam;unplanned;Filler
L1;2026-11-20 10:00;2026-11-20 10:17;Filler jam;unplanned;Filler
"""
LATE_COUNTS = """line,start,end,product,total,good,planned
L2,2026-11-20 14:00,2026-11-20 18:00,,3000,2950,1200
"""
ANSWERS = ("/api/v1/values?kpi=oee,availability,performance,quality,schedule_attainment&scope=L1&grain=shift"
           "&period=2026-11-20/E",
           "/api/v1/values?kpi=oee,availability,performance,quality&scope=plant&grain=day&period=2026-11-20",
           "/api/v1/board?scope=plant&date=2026-11-20&shift=E", "/api/v1/board?scope=L2&date=2026-11-20&shift=L",
           "/api/v1/tree?tree=oee&scope=plant&grain=day&period=2026-11-20", "/api/v1/kpis")


def runbook(name: str) -> list[str]:
    """The commands of the guide's block marked ``name``, one per line (continuations joined, comments dropped)."""
    blocks = {m["name"]: m["body"] for m in MARKED.finditer(GUIDE.read_text(encoding="utf-8"))}
    assert name in blocks, f"docs/production.md has no block marked <!-- runbook: {name} -->"
    joined = re.sub(r"\\\n\s*", " ", blocks[name])
    lines = [re.sub(r"\s+#.*$", "", line.strip()) for line in joined.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


class Plant:
    """The runbook's machine in miniature: a PostgreSQL database and owner of their own (or the data folder's
    SQLite file), a settings file, a backup folder, and the plant's services in this process while they 'run'."""

    def __init__(self, base: str | None, tmp: Path, plant_file: Path, make_services: Callable[..., Any]) -> None:
        self.base = make_url(base) if base else None
        self.name = f"huddle_rb_{uuid.uuid4().hex[:10]}"  # the database, and the role owning it
        self.url = (self.base.set(username=self.name, database=self.name).render_as_string(hide_password=False)
                    if self.base else None)
        self.settings = tmp / "huddle.toml"
        database = f'database_url = "{self.url}"\n' if self.url else ""  # else huddle.sqlite in the data folder
        self.settings.write_text(f'[huddle]\n{database}data_dir = "{tmp}"\nplant_config = "{plant_file}"\n'
                                 'anonymous_access = "read"\n', encoding="utf-8")
        self.settings.chmod(0o600)
        self.backups = tmp / "backups"
        self.backups.mkdir()
        self.dump = self.backups / "huddle.dump"
        self.exports = tmp / "exports"
        self.data_dir = tmp
        self.make_services = make_services
        self.services: Any = None
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("HUDDLE_", "PG"))}
        self.env["HUDDLE_NOW"] = SMALL_NOW.isoformat()
        if self.base:
            self.env.update(PGHOST=self.base.host or "127.0.0.1", PGPORT=str(self.base.port or 5432),
                            PGUSER=self.base.username or "postgres")

    def create(self) -> None:
        """What `createuser huddle` and `createdb huddle --owner huddle` make (without the password prompt)."""
        if self.base:
            with self.admin() as conn:
                conn.execute(text(f'CREATE ROLE "{self.name}" LOGIN'))
                conn.execute(text(f'CREATE DATABASE "{self.name}" OWNER "{self.name}"'))

    def admin(self) -> Any:
        """A connection to the PostgreSQL server as the test's administrator (outside any transaction)."""
        assert self.base is not None
        engine = create_engine(self.base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        return engine.connect()

    def drop(self) -> None:
        """Drop the databases and the role the test made."""
        self.stop()
        if not self.base:
            return
        with self.admin() as conn:
            for db in (self.name, f"{self.name}_before_restore"):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{self.name}"'))

    def start(self) -> Any:
        """The plant's services on its database (web workers and scheduler, in this process)."""
        self.services = self.make_services(self.url)
        return self.services

    def stop(self) -> None:
        """Stop the services: close every connection they hold."""
        if self.services is not None:
            self.services.dispose()
            self.services = None

    def translate(self, command: str) -> str:
        """The guide's command on the test's database, files and Huddle."""
        command = re.sub(r"^sudo -u \w+ ", "", command)
        command = re.sub(r" -o huddle -g huddle ", " ", command)  # the test's own account owns what it makes
        command = re.sub(r"/var/backups/huddle/huddle-.*?\.dump", "@DUMP@", command)
        for path, mark in (("/opt/huddle/bin/huddle", "@HUDDLE@"), ("/etc/huddle/huddle.toml", "@SETTINGS@"),
                           ("/srv/exports/history/", "@EXPORTS@"), ("/var/lib/huddle/", "@DATA@"),
                           ("/var/backups/huddle/", "@BACKUPS@")):
            command = command.replace(path, mark)
        assert not re.search(r"(?<![\w@])/", command), f"a path the test does not know: {command}"
        # the database and its owner, which the guide calls huddle (not huddle.sqlite, huddle-web)
        command = re.sub(r"\bhuddle(_before_restore)?(?![\w.-])", lambda m: self.name + (m[1] or ""), command)
        return (command.replace("@DUMP@", shlex.quote(str(self.dump)))
                .replace("@HUDDLE@", f"{shlex.quote(sys.executable)} -m huddle.dashboard.cli")
                .replace("@SETTINGS@", shlex.quote(str(self.settings)))
                .replace("@EXPORTS@", shlex.quote(str(self.exports)) + "/")
                .replace("@DATA@", shlex.quote(str(self.data_dir)) + "/")
                .replace("@BACKUPS@", shlex.quote(str(self.backups)) + "/"))

    def run(self, name: str) -> str:
        """Run the guide's block ``name``: stop and start where it says, every other command in a shell, each of
        which must succeed; returns what they printed."""
        said = []
        for command in runbook(name):
            if command.startswith("systemctl stop "):
                assert {"huddle-web", "huddle-scheduler"} <= set(command.split()), command
                self.stop()
            elif command.startswith("systemctl start "):
                assert {"huddle-web", "huddle-scheduler"} <= set(command.split()), command
                self.start()
            elif command.startswith("/opt/huddle/bin/pip install"):
                continue  # this test runs the release it is part of
            else:
                done = subprocess.run(self.translate(command), shell=True, executable="/bin/bash", env=self.env,
                                      capture_output=True, text=True, timeout=120)
                assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
                said.append(done.stdout)
        return "".join(said)

    def answers(self) -> dict[str, Any]:
        """What the API answers now, numbers as pages show them and the data version left out."""
        client = client_for(self.services)
        got = {}
        for address in (*ANSWERS, "/api/v1/health"):
            response = client.get(address)
            assert response.status_code == 200, (address, response.get_data(as_text=True))
            got[address] = as_shown(response.get_json())
        return got

    def data_version(self, database: str | None = None) -> int:
        """The data version stored in the plant's database (or another of the test's: a PostgreSQL database's name,
        an SQLite file's path)."""
        if self.base:
            engine = create_engine(self.base.set(database=database or self.name), poolclass=NullPool)
        else:
            engine = create_engine(f"sqlite:///{database or self.data_dir / 'huddle.sqlite'}", poolclass=NullPool)
        try:
            with engine.connect() as conn:
                return int(conn.execute(text("SELECT value FROM meta WHERE key = 'data_version'")).scalar_one())
        finally:
            engine.dispose()


def as_shown(value: Any) -> Any:
    """A JSON answer with its numbers at the precision pages show (format_value) and no data version."""
    if isinstance(value, dict):
        return {k: as_shown(v) for k, v in value.items() if k != "data_version"}
    if isinstance(value, list):
        return [as_shown(v) for v in value]
    if isinstance(value, float):
        return format_value(value)
    return value


@pytest.fixture(params=["postgresql", "sqlite"])
def plant(request: pytest.FixtureRequest, tmp_path: Path, plant_file: Path,
          make_services: Callable[..., Any]) -> Iterator[Plant]:
    """A fresh PostgreSQL database and owner for the runbook, dropped afterwards; or the data folder's SQLite file."""
    base = None
    if request.param == "postgresql":
        base = os.environ.get(POSTGRES_ENV)
        if not base:
            pytest.skip(f"the runbook's PostgreSQL commands need {POSTGRES_ENV} "
                        "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    for tool in ("pg_dump", "pg_restore", "psql", "createdb") if base else ("sqlite3",):
        if not shutil.which(tool):
            pytest.skip(f"the runbook needs {tool} (apt-get install -y {'postgresql-client' if base else 'sqlite3'})")
    made = Plant(base, tmp_path, plant_file, make_services)
    made.create()
    yield made
    made.drop()


def test_the_runbook_restores_the_plant_and_moves_the_data_version_on(plant: Plant) -> None:
    write_past(plant.exports / "counts" / "counts.csv", COUNTS)
    write_past(plant.exports / "stops" / "stops.csv", STOPS)
    plant.run("first-data")  # make the inbox folders, huddle check, huddle import of the plant's own files
    plant.start()
    before = plant.answers()
    l1 = {v["kpi"]: v for v in before[ANSWERS[0]]["values"]}
    assert (l1["oee"]["value"], l1["availability"]["value"]) == ("74.8", "88.8")  # the worked example, as shown
    first = plant.data_version()
    assert first >= 2  # one bump per file that stored rows

    if plant.base:
        said = plant.run("upgrade")  # stop, back up, (install), huddle init, start
        assert "database is up to date" in said and "boards are drawn afresh" in said
        assert plant.data_version() > first
        assert plant.answers() == before  # an upgrade keeps the data

    plant.run("backup" if plant.base else "backup-sqlite")  # nightly, while Huddle runs
    backed_up = plant.data_version()

    late = write_past(plant.exports / "late" / "counts.csv", LATE_COUNTS)  # a load after the backup
    assert plant.services.loader.import_files([late]).status == "ok"
    assert plant.answers() != before
    seen = plant.data_version()
    assert seen > backed_up

    said = plant.run("restore" if plant.base else "restore-sqlite")  # stop, keep the old one, restore, init, start
    assert "boards are drawn afresh" in said
    assert plant.answers() == before  # the backup's moment, the later load gone
    kept = f"{plant.name}_before_restore" if plant.base else str(plant.data_dir / "before-restore" / "huddle.sqlite")
    assert plant.data_version(kept) == seen  # the replaced database, kept as it was
    assert plant.data_version() > seen > backed_up  # past every value seen, also those after the backup
