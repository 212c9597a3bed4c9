"""Admin-only portal pages: a visitor is sent to the portal's login (not the Django admin's), a person who is
not an admin gets the product's 403 page (issue #11: an outside pass saw /users/ open /admin/login/)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

ADMIN_PAGES = ["/users/", "/settings/", "/settings/audit/", "/peers/", "/p2p/", "/cloud/", "/cloud/new/", "/usb/"]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_a_visitor_goes_to_the_portal_login_and_comes_back(client, admin_user, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url == f"/login/?next={url}"


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_a_person_gets_the_products_not_allowed_page(client, alice, url):
    client.force_login(alice)
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 403 and "/admin/login" not in body
    assert "<nav" in body or "<header" in body  # the product's own layout, not a bare error


def test_the_admin_still_opens_them(client, admin_user):
    client.force_login(admin_user)
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 200, url


def test_the_django_admin_says_not_allowed_to_a_person_instead_of_asking_to_log_in_again(client, alice):
    client.force_login(alice)
    response = client.get("/admin/", follow=True)
    body = response.content.decode()
    assert response.status_code == 403 and 'name="password"' not in body
    assert "<nav" in body or "<header" in body
