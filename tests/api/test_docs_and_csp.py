"""/api/docs/ works offline (Swagger UI from our own static files, never a CDN) and every page carries a
Content-Security-Policy that allows only our own scripts and styles."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def referenced(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_swagger_ui_references_no_external_host_and_its_files_answer_here(client, admin_user):
    response = client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200 and "swagger-ui" in html
    assert not re.search(r"https?://", html), re.findall(r"https?://[^\"' ]+", html)
    urls = referenced(html)
    assert any(url.endswith("swagger-ui-bundle.js") for url in urls)
    for url in urls:
        assert url.startswith("/"), url
        fetched = client.get(url.replace("&amp;", "&"))
        assert fetched.status_code == 200, (url, fetched.status_code)
        body = b"".join(fetched.streaming_content) if fetched.streaming else fetched.content
        assert body and b"cdn.jsdelivr" not in body and b"unpkg.com" not in body, url


def test_every_page_has_a_strict_content_security_policy(client, alice):
    client.login(username="alice", password=PASSWORD)
    for path in ["/", "/files/", "/account/", "/api/v1/me/", "/no-such-page/"]:
        policy = client.get(path)["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, (path, policy)
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, (path, policy)
    docs = Client().get("/api/docs/")["Content-Security-Policy"]
    assert "img-src 'self' data:" in docs and "unsafe-inline" not in docs


def test_pages_have_no_inline_script_or_style(client, admin_user, alice):
    client.login(username="admin", password=PASSWORD)
    for path in ["/", "/files/", "/files/trash/", "/users/", f"/users/{alice.pk}/", "/peers/", "/p2p/",
                 "/cloud/", "/usb/", "/runs/", "/settings/", "/account/", "/p2p/restore/", "/cloud/restore/"]:
        html = client.get(path, follow=True).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert "<style" not in html and ' style="' not in html, path
        assert not re.search(r"\son[a-z]+=\"", html), (path, re.findall(r"\son[a-z]+=\"[^\"]*\"", html))
