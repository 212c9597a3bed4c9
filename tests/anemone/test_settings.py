"""Settings: safe defaults (DEBUG off, home-LAN mode without HTTPS redirect), strict environment flags,
production settings that pass Django's deployment checks once HTTPS options are chosen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from anemone.settings import env_bool, env_int

ROOT = Path(__file__).resolve().parents[2]
SHOW = "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='anemone.settings';django.setup();"


def python(tmp_path: Path, code: str, **env: str) -> subprocess.CompletedProcess:
    """Run code with Anemone's settings and nothing in the environment but what the test gives."""
    full_env = {"ANEMONE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", **env}
    return subprocess.run([sys.executable, "-c", SHOW + code], cwd=ROOT, capture_output=True, text=True,
                          env=full_env, timeout=120)


def test_it_passes_check_deploy_in_production(tmp_path):
    env = {"ANEMONE_DATA_DIR": str(tmp_path), "ANEMONE_ENV": "production", "PATH": "/usr/bin:/bin",
           "ANEMONE_ALLOWED_HOSTS": "nas.example.org", "ANEMONE_SSL_REDIRECT": "yes",
           "ANEMONE_HSTS_SECONDS": "31536000", "ANEMONE_HSTS_INCLUDE_SUBDOMAINS": "on", "ANEMONE_HSTS_PRELOAD": "1"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_generates_a_secret_key_once_into_the_data_dir(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first, second = python(tmp_path, code), python(tmp_path, code)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and len(first.stdout.strip()) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_it_serves_a_home_lan_without_debug_or_https_redirect_by_default(tmp_path):
    code = ("from django.conf import settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
            "s.SESSION_COOKIE_SECURE)")
    result = python(tmp_path, code)
    assert result.stdout.split() == ["False", "False", "0", "False"], result.stderr


def test_it_makes_redirect_and_hsts_opt_ins_in_production(tmp_path):
    code = ("from django.conf import settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
            "s.SESSION_COOKIE_SECURE)")
    assert python(tmp_path, code, ANEMONE_ENV="production").stdout.split() == ["False", "False", "0", "True"]
    assert python(tmp_path, code, ANEMONE_DEBUG="1").stdout.split() == ["True", "False", "0", "False"]


@pytest.mark.parametrize(("name", "value"), [("ANEMONE_DEBUG", "maybe"), ("ANEMONE_SSL_REDIRECT", "ture"),
                                             ("ANEMONE_WORKERS", "two"), ("ANEMONE_ENV", "prod")])
def test_it_refuses_to_start_on_a_value_it_cannot_read(tmp_path, name, value):
    result = python(tmp_path, "print('started')", **{name: value})
    assert result.returncode != 0 and "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr and f"{name}={value!r}" in result.stderr


def test_it_reads_every_spelling_of_yes_and_no(monkeypatch):
    for value, expected in [("1", True), ("TRUE", True), (" yes ", True), ("on", True),
                            ("0", False), ("False", False), ("no", False), ("OFF", False)]:
        monkeypatch.setenv("ANEMONE_X", value)
        assert env_bool("ANEMONE_X") is expected, value
    monkeypatch.setenv("ANEMONE_X", "")
    assert env_bool("ANEMONE_X", True) is True  # empty means "not set"
    monkeypatch.setenv("ANEMONE_X", "2")
    with pytest.raises(ImproperlyConfigured, match="ANEMONE_X"):
        env_bool("ANEMONE_X")
    monkeypatch.setenv("ANEMONE_X", "12")
    assert env_int("ANEMONE_X", 0) == 12
    monkeypatch.setenv("ANEMONE_X", "1e3")
    with pytest.raises(ImproperlyConfigured, match="ANEMONE_X"):
        env_int("ANEMONE_X", 0)
