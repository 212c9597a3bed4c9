"""The OpenAPI schema generates without warnings and is served at /api/schema/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_it_generates_the_schema_without_warnings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "s.yaml")],
        cwd=ROOT, capture_output=True, text=True, env={"ANEMONE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    schema = (tmp_path / "s.yaml").read_text()
    for path in ["/api/v1/auth/token/", "/api/v1/me/", "/api/v1/files/", "/api/v1/runs/"]:
        assert path in schema, path


@pytest.mark.django_db
def test_it_serves_the_schema_and_the_docs(client, admin_user):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi" in response.content
    assert client.get("/api/docs/").status_code == 200
