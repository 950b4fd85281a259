"""docs/getting-started.md runs as written: its command blocks, marked ``<!-- guide: NAME -->``, are run in order
in an empty temporary folder, each in bash with the folder and the variables the blocks before it left (as one
shell would), with only the guide's ``~/huddle/`` swapped for this source tree and ``huddle`` the Huddle of this
Python. The clock is the example's (``HUDDLE_NOW``), never the machine's.

The last block, ``huddle serve``, is started as a process of its own on a free port (``HUDDLE_PORT``) and probed over
HTTP as a browser would, then stopped: without an account it sends everyone to sign in, the first admin the guide
made signs in, and the numbers the guide quotes are the API's (the 195-minute breakdown shown as 155 minutes of
unplanned downtime, availability 67.0 %, OEE 58.9 %, a day's downtime target six times the per-line-and-shift 20,
Thanksgiving planned, the week before go-live not judged, the imported OKRs).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "getting-started.md"
MARKED = re.compile(r"<!-- guide: (?P<name>[\w-]+) -->\s*```bash\n(?P<body>.*?)\n```", re.DOTALL)
#: the guide's blocks in the order they run; a block added to the guide must be added here
ORDER = ("folder", "check", "init", "preview", "import", "calendar", "admin", "okr", "serve")
NOW = "2026-11-30T07:00"
PASSWORD = "ohio-first-admin-2026"


def blocks() -> dict[str, str]:
    """The guide's marked blocks by name, with its ``~/huddle/`` this source tree."""
    found = {m["name"]: m["body"] for m in MARKED.finditer(GUIDE.read_text(encoding="utf-8"))}
    assert tuple(found) == ORDER, f"the guide's marked blocks are {tuple(found)}; the test runs {ORDER}"
    return {name: body.replace("~/huddle/", f"{ROOT}/") for name, body in found.items()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Shell:
    """Runs the guide's blocks one after another as one shell would: each starts in the folder and with the
    variables the block before it ended with."""

    def __init__(self, tmp: Path) -> None:
        self.state = tmp / "shell-state"
        self.state.mkdir()
        work = tmp / "work"  # the empty folder the guide starts in
        work.mkdir()
        bin_dir = tmp / "bin"
        bin_dir.mkdir()
        shim = bin_dir / "huddle"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m huddle.dashboard.cli "$@"\n', encoding="utf-8")
        shim.chmod(0o755)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("HUDDLE_")}
        self.env.update(PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", HUDDLE_NOW=NOW,
                        HUDDLE_PORT=str(_free_port()))
        self.cwd = work

    def run(self, name: str, body: str, stdin: str = "") -> str:
        """Run one block; it must succeed. Returns what it printed."""
        script = f"set -euo pipefail\n{body}\npwd > '{self.state}/cwd'\nenv -0 > '{self.state}/env'\n"
        done = subprocess.run(["bash", "-c", script], cwd=self.cwd, env=self.env, input=stdin, text=True,
                              capture_output=True, timeout=600, start_new_session=True)  # no terminal: getpass
        said = done.stdout + done.stderr  # reads the password from stdin, as a script's pipe gives it
        assert done.returncode == 0, f"the guide's block {name!r} failed ({done.returncode}):\n{body}\n---\n{said}"
        self.cwd = Path((self.state / "cwd").read_text(encoding="utf-8").strip())
        pairs = (self.state / "env").read_bytes().split(b"\0")
        self.env = dict(p.decode().split("=", 1) for p in pairs if b"=" in p)
        return said


class Browser:
    """HTTP as a browser sends it: cookies kept, redirects not followed, the site's own Origin on a change."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = http.cookiejar.CookieJar()

        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any) -> None:
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), Stay())

    def call(self, path: str, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """The status, headers and body of a GET (or a POST of ``form``)."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers={"Origin": self.base})
        try:
            with self.opener.open(request, timeout=60) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as refused:
            return refused.code, dict(refused.headers), refused.read()

    def json(self, path: str) -> Any:
        """A JSON answer of the API, which must be 200."""
        status, _headers, body = self.call(path)
        assert status == 200, f"{path}: {status} {body[:300]!r}"
        return json.loads(body)

    def wait(self, server: subprocess.Popen[bytes], log: Path) -> None:
        """Until the server answers (it must not have stopped)."""
        for _ in range(240):
            assert server.poll() is None, f"huddle serve stopped:\n{log.read_text(errors='replace')}"
            try:
                self.call("/login")
                return
            except OSError:
                time.sleep(0.25)
        pytest.fail(f"huddle serve did not answer within a minute:\n{log.read_text(errors='replace')}")


def _serve(shell: Shell, body: str, tmp: Path) -> None:
    """Start the guide's serve command as its own process, probe it as the guide describes, stop it."""
    commands = [line.split("#")[0].strip() for line in body.splitlines() if line.strip()]
    assert len(commands) == 1 and commands[0].startswith("huddle serve"), commands
    log = tmp / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(["bash", "-c", "exec " + commands[0]], cwd=shell.cwd, env=shell.env,
                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        browser = Browser(int(shell.env["HUDDLE_PORT"]))
        browser.wait(server, log)
        _probe(browser)
    finally:
        server.terminate()  # the process this test started, by its id
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)


def _reading(browser: Browser, kpis: str, scope: str, grain: str, period: str) -> dict[str, Any]:
    answer = browser.json(f"/api/v1/values?kpi={kpis}&scope={scope}&grain={grain}&period={period}")
    return {r["kpi"]: r for r in answer["values"]}


def _probe(browser: Browser) -> None:
    status, headers, _ = browser.call("/")
    assert status == 302 and headers["Location"].startswith("/login"), "without an account: the sign-in page"
    assert browser.call("/api/v1/kpis")[0] == 401
    status, headers, body = browser.call("/login", {"username": "dana", "password": PASSWORD, "next": "/"})
    assert status == 302 and headers["Location"] == "/", body[:300]

    shift = _reading(browser, "unplanned_downtime,availability,oee", "A1", "shift", "2026-11-17/A")
    downtime = shift["unplanned_downtime"]
    assert (downtime["value"], downtime["target"], downtime["status"]) == (155.0, 20.0, "red")
    assert round(shift["availability"]["value"], 1) == 67.0 == round(100 * (470 - 155) / 470, 1)
    assert round(shift["oee"]["value"], 1) == 58.9 == round(100 * 830 * 20 / (470 * 60), 1)
    day = _reading(browser, "unplanned_downtime", "plant", "day", "2026-11-17")["unplanned_downtime"]
    assert day["target"] == 6 * 20  # three lines, two shifts: the target of a total is per line and shift

    thanksgiving = browser.json("/api/v1/board?scope=plant&date=2026-11-26&shift=A")
    delivery = next(c for c in thanksgiving["columns"] if c["category"] == "D")
    assert delivery["status"] == "planned"
    before = browser.json("/api/v1/board?scope=A1&date=2026-11-05&shift=A")
    assert next(c for c in before["columns"] if c["category"] == "D")["status"] == "before-go-live"

    okrs = browser.json("/api/v1/okr?quarter=2026-Q4")
    assert [(o["scope"], o["title"], len(o["key_results"])) for o in okrs["objectives"]] == [
        ("plant", "Ship every order on the day promised", 2), ("A1", "Assembly 1 runs without long breakdowns", 2)]


def test_the_getting_started_guide_runs_as_written(tmp_path: Path) -> None:
    guide = blocks()
    shell = Shell(tmp_path)
    said = {name: shell.run(name, body, stdin=f"{PASSWORD}\n{PASSWORD}\n" if name == "admin" else "")
            for name, body in guide.items() if name != "serve"}
    assert shell.cwd.name == "ohio" and (shell.cwd / "plant.yaml").exists()
    assert "check: ok — 0 errors, 0 warnings, 1 acknowledged" in said["check"]
    assert said["preview"].count("check: ok") == 2 and "check: ok — 112 rows read, 0 refused" in said["preview"]
    assert "import: ok — loaded; 118 rows read, 118 loaded, 0 rejected" in said["import"]
    assert "Thu 26 Nov 2026: Thanksgiving (holiday, Ohio Plant)" in said["calendar"]
    assert "Thu 24 Dec 2026 – Fri 01 Jan 2027: Winter shutdown (shutdown, Ohio Plant)" in said["calendar"]
    assert "added dana as admin" in said["admin"]
    assert "okr: imported 2 objectives with 4 key results into 2026-Q4" in said["okr"]
    _serve(shell, guide["serve"], tmp_path)


def test_the_guide_quotes_what_huddle_prints() -> None:
    """The outcomes the guide's words quote are those the test holds the commands to."""
    text = GUIDE.read_text(encoding="utf-8")
    for quoted in ("check: ok — 0 errors, 0 warnings, 1 acknowledged", "check: ok — 112 rows read, 0 refused",
                   "import: ok — loaded; 118 rows read, 118 loaded, 0 rejected", "**155 minutes**",
                   "(470 − 155) / 470 = 67.0 %", "OEE 58.9 %"):
        assert quoted in text, quoted
