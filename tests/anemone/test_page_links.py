"""Every link of every main page leads to a page of the portal, never into the API (the router's
``user-detail`` once shadowed the portal's, so the Users list opened /api/v1/users/N/), and none is a 500."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
ALLOWED_API = {"/api/docs/"}  # the one API page the portal may link to on purpose


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href and not href.startswith(("#", "mailto:", "javascript:")):
            self.hrefs.append(href)


def links_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.hrefs


def main_pages(person) -> list[str]:  # type: ignore[no-untyped-def]
    pages = ["dashboard", "files:browse", "files:trash", "account", "p2p:restore", "cloudbackup:restore"]
    if person.is_staff:
        pages += ["users", "runs:list", "peers:index", "p2p:index", "cloudbackup:index", "usbbackup:index",
                  "site-settings"]
    urls = [reverse(name) for name in pages]
    if person.is_staff:
        urls.append(reverse("user-detail", args=[person.pk]))
    return urls


def walk(client, person) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """{page: [href, ...]} of every main page, after checking each page and each link it has."""
    seen: dict[str, list[str]] = {}
    followed: set[str] = set()  # the navigation repeats on every page: follow each link once
    for page in main_pages(person):
        response = client.get(page, follow=True)
        assert response.status_code == 200, (page, response.status_code)
        seen[page] = links_of(response.content.decode())
        for href in seen[page]:
            target = urlsplit(href)
            if target.netloc or href in followed:  # external link: nothing to follow here
                continue
            followed.add(href)
            assert not target.path.startswith("/api/") or target.path in ALLOWED_API, (page, href)
            landed = client.get(href, follow=True)
            assert landed.status_code < 500, (page, href, landed.status_code)
            final = landed.redirect_chain[-1][0] if landed.redirect_chain else href
            assert not urlsplit(final).path.startswith("/api/") or urlsplit(final).path in ALLOWED_API, \
                (page, href, final)
    return seen


def test_the_portal_and_the_api_have_separate_url_names(alice):
    assert reverse("user-detail", args=[alice.pk]) == f"/users/{alice.pk}/"
    assert reverse("api:user-detail", args=[alice.pk]) == f"/api/v1/users/{alice.pk}/"


def test_no_link_an_admin_sees_leads_into_the_api(client, admin_user, alice):
    client.login(username="admin", password=PASSWORD)
    seen = walk(client, admin_user)
    assert f"/users/{alice.pk}/" in seen[reverse("users")]  # the Users list links to the portal's page


def test_no_link_a_person_sees_leads_into_the_api(client, alice):
    client.login(username="alice", password=PASSWORD)
    walk(client, alice)
