"""The product's own error pages: with DEBUG at its default, a 404 shows Anemone's page (base layout,
translated), never Django's technical page with a traceback or the URL list."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.test import RequestFactory
from django.utils import translation

from anemone import views
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
TECHNICAL = ["Traceback", "Using the URLconf", "urlpatterns", "DEBUG = True", "Django tried these URL patterns"]


def test_a_404_with_the_default_settings_shows_the_products_page(tmp_path):
    """As `make run` serves it: the environment says nothing about debug."""
    code = ("import django,os;os.environ['DJANGO_SETTINGS_MODULE']='anemone.settings';django.setup();"
            "from django.test import Client; r = Client().get('/static/no-such-file.css');"
            "print(r.status_code); print(r.content.decode())")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"ANEMONE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    status, _, page = result.stdout.partition("\n")
    assert status == "404", result.stderr[-2000:]
    assert "Page not found" in page and 'href="/static/css/anemone.css"' in page
    assert not [word for word in TECHNICAL if word in page]


def test_a_missing_page_is_the_products_page_in_the_persons_language(client, alice):
    client.login(username="alice", password=PASSWORD)
    page = client.get("/files/no-such-page/").content.decode()
    assert "Page not found" in page and "Dashboard" in page  # the base layout with its navigation
    alice.language = "fr"
    alice.save(update_fields=["language"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "Page introuvable" in response.content.decode()


def test_an_api_404_and_500_answer_json(db):
    request = RequestFactory().get("/api/v1/nothing/")
    assert views.server_error(request).status_code == 500
    assert views.server_error(request)["Content-Type"] == "application/json"
    assert b"detail" in views.page_not_found(request, Exception()).content


def test_a_server_error_shows_the_products_page_without_details(db):
    with translation.override("en"):
        response = views.server_error(RequestFactory().get("/files/"))
    page = response.content.decode()
    assert response.status_code == 500 and "Something went wrong" in page
    assert not [word for word in TECHNICAL if word in page]


def test_a_csrf_failure_says_to_reload(client, alice):
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.login(username="alice", password=PASSWORD)
    response = csrf_client.post("/settings/", {})
    assert response.status_code == 403
    assert "Reload the page" in response.content.decode()
