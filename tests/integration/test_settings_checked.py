"""Settings are checked: a misspelt key in the settings file or a misspelt ``HUDDLE_`` variable stops every command
(and gunicorn) with the key named and the nearest known one; a wrong type or an impossible value names its key;
``huddle config show`` says what is in effect and where it came from, passwords and keys masked; ``huddle
--version`` says which Huddle is installed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from huddle.dashboard.cli import main
from huddle.dashboard.settings import Settings, load_settings
from huddle.dashboard.settings_read import SettingsError, env_name, setting_types

ROOT = Path(__file__).resolve().parents[2]
TYPOS = '[huddle]\nanonymous_acess = "read"\nsecure_cookie = true\n'


def _clean_env(**more: str) -> dict[str, str]:
    """The environment without any Huddle setting of the machine's (the test suite's own variables are kept)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUDDLE_") or k.startswith("HUDDLE_TEST_")}
    return {**env, **more}


def _problems(**env: str) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load_settings(env=env)
    return caught.value.problems


def test_a_misspelt_key_stops_serve_with_the_key_and_a_suggestion(tmp_path: Path) -> None:
    settings = tmp_path / "huddle.toml"
    settings.write_text(TYPOS)
    result = subprocess.run([sys.executable, "-m", "huddle.dashboard.cli", "--settings", str(settings),
                             "--data-dir", str(tmp_path / "data"), "serve"], env=_clean_env(), cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.splitlines() == [
        f"error: settings: {settings}: unknown key 'anonymous_acess' (did you mean 'anonymous_access'?)",
        f"error: settings: {settings}: unknown key 'secure_cookie' (did you mean 'secure_cookies'?)"]
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "data").exists()  # stopped before anything was made


@pytest.mark.parametrize("command", [["init"], ["scheduler"], ["import", "x.csv"], ["user", "list"], ["check"]])
def test_every_command_that_reads_settings_stops_on_a_typo(tmp_path: Path, command: list[str],
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    settings = tmp_path / "huddle.toml"
    settings.write_text(TYPOS)
    monkeypatch.chdir(tmp_path)
    assert main(["--settings", str(settings), *command]) == 2
    assert "did you mean 'secure_cookies'?" in capsys.readouterr().err
    assert not (tmp_path / "huddle-data").exists()


def test_an_unknown_environment_variable_is_named_with_a_suggestion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HUDDLE_SECURE_COOKIE", "true")
    monkeypatch.setenv("HUDDLE_DATABASE", "postgresql+psycopg://huddle@db/huddle")
    assert main(["--data-dir", str(tmp_path), "serve"]) == 2
    err = capsys.readouterr().err
    assert "unknown environment variable HUDDLE_SECURE_COOKIE (did you mean 'HUDDLE_SECURE_COOKIES'?)" in err
    assert "unknown environment variable HUDDLE_DATABASE (did you mean 'HUDDLE_DATABASE_URL'?)" in err
    # the test suite's own variables and the settings file's are not settings, and are never refused
    assert load_settings(env={"HUDDLE_TEST_POSTGRES_URL": "x", "HUDDLE_SETTINGS": ""}) == Settings()


def test_wrong_types_and_impossible_values_name_their_key(tmp_path: Path) -> None:
    settings = tmp_path / "huddle.toml"
    settings.write_text('[huddle]\nport = "eighty"\nsecure_cookies = "maybe"\nallowed_hosts = 5\n'
                        'max_request_bytes = 10\nanonymous_access = "write"\nbehind_proxies = -1\n'
                        'timezone = "Europe/Atlantis"\ndatabase_url = "mysql://db/huddle"\npublic_url = "plant"\n')
    with pytest.raises(SettingsError) as caught:
        load_settings(settings, env={})
    assert sorted(p.removeprefix(f"{settings}: ") for p in caught.value.problems) == sorted([
        "timezone must be a time zone name like Europe/Berlin, not 'Europe/Atlantis'",
        "port must be a whole number, not 'eighty'",
        "anonymous_access must be 'off' or 'read', not 'write'",
        "secure_cookies must be true or false, not 'maybe'",
        "public_url must be an address like https://huddle.plant.example, not 'plant'",
        "allowed_hosts must be a list of texts like [\"a\", \"b\"], not 5",
        "max_request_bytes must be at least 1024, not 10",
        "behind_proxies must be at least 0 (the number of proxies in front), not -1",
        "database_url must name a PostgreSQL or SQLite database, not a mysql one"])
    assert _problems(HUDDLE_PORT="70000") == [
        "environment variable HUDDLE_PORT: port must be from 1 to 65535, not 70000"]


def test_every_setting_is_read_from_its_variable_and_checked_by_its_type() -> None:
    """A field added to Settings is a setting at once: its variable is known and its type is checked."""
    for key, kind in setting_types().items():
        text = str(kind)
        if "bool" in text:
            assert key in _problems(**{env_name(key): "maybe"})[0]
        elif "int" in text:
            assert key in _problems(**{env_name(key): "many"})[0]
    assert load_settings(env={"HUDDLE_SECURE_COOKIES": "yes", "HUDDLE_PORT": "8060", "HUDDLE_SITES": "a.yaml, b.yaml",
                              "HUDDLE_ALLOWED_HOSTS": "TV.plant.local, 10.0.0.5"}) == Settings(
        secure_cookies=True, port=8060, sites=(Path("a.yaml"), Path("b.yaml")),
        allowed_hosts=("tv.plant.local", "10.0.0.5"))


def test_the_production_guides_settings_file_is_accepted(tmp_path: Path) -> None:
    guide = (ROOT / "docs" / "production.md").read_text()
    block = re.search(r"```toml\n(\[huddle\].*?)```", guide, re.S)
    assert block is not None
    settings = tmp_path / "huddle.toml"
    settings.write_text(block.group(1))
    read = load_settings(settings, env={})
    assert read.secure_cookies is True and read.behind_proxies == 1 and read.public_url == "https://huddle.plant.local"


def test_config_show_says_where_each_value_came_from_and_masks_secrets(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    settings = tmp_path / "huddle.toml"
    settings.write_text('[huddle]\ndatabase_url = "postgresql+psycopg://huddle:s3cret-pw@db.plant.local:5432/huddle"\n'
                        'secret_key = "0123456789abcdef0123"\nredis_url = "redis://:r3dis-pw@127.0.0.1:6379/0"\n')
    monkeypatch.setenv("HUDDLE_PORT", "9000")
    assert main(["--settings", str(settings), "--data-dir", str(tmp_path / "data"), "config", "show"]) == 0
    out = capsys.readouterr().out
    assert "s3cret-pw" not in out and "r3dis-pw" not in out and "0123456789abcdef" not in out
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert set(lines) == set(setting_types())
    assert "postgresql+psycopg://huddle:***@db.plant.local:5432/huddle" in lines["database_url"]
    assert lines["database_url"].endswith(f"settings file {settings}")
    assert re.search(r"secret_key +\*\*\* +settings file", lines["secret_key"])
    assert "redis://:***@127.0.0.1:6379/0" in lines["redis_url"]
    assert re.search(r"port +9000 +environment variable HUDDLE_PORT$", lines["port"])
    assert lines["data_dir"].endswith("command line (--data-dir)")
    assert re.search(r"host +127\.0\.0\.1 +default \(or HUDDLE_HOST\)$", lines["host"])


def test_version_is_the_installed_packages() -> None:
    result = subprocess.run([sys.executable, "-m", "huddle.dashboard.cli", "--version"], capture_output=True,
                            text=True, timeout=60, env=_clean_env())
    assert result.returncode == 0 and result.stdout.strip() == f"huddle {version('huddle')}"


def test_gunicorn_stops_on_a_typo_with_the_key_named(tmp_path: Path) -> None:
    settings = tmp_path / "huddle.toml"
    settings.write_text(TYPOS)
    env = _clean_env(HUDDLE_SETTINGS=str(settings), HUDDLE_DATA_DIR=str(tmp_path / "data"))
    result = subprocess.run([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", "127.0.0.1:0",
                             "huddle.dashboard.wsgi:create_server()"], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "unknown key 'secure_cookie' (did you mean 'secure_cookies'?)" in out
    assert "App failed to load" in out and "Traceback" not in out
