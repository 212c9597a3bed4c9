"""Production settings pass Django's deployment checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_it_passes_check_deploy_in_production(tmp_path):
    env = {"ANEMONE_DATA_DIR": str(tmp_path), "ANEMONE_ENV": "production", "PATH": "/usr/bin:/bin",
           "ANEMONE_ALLOWED_HOSTS": "nas.example.org"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_generates_a_secret_key_once_into_the_data_dir(tmp_path):
    env = {"ANEMONE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = subprocess.run([sys.executable, "-c", f"import django,os;os.environ['DJANGO_SETTINGS_MODULE']='anemone.settings';django.setup();{code}"],
                           cwd=ROOT, capture_output=True, text=True, env=env, timeout=60)
    second = subprocess.run([sys.executable, "-c", f"import django,os;os.environ['DJANGO_SETTINGS_MODULE']='anemone.settings';django.setup();{code}"],
                            cwd=ROOT, capture_output=True, text=True, env=env, timeout=60)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and len(first.stdout.strip()) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
