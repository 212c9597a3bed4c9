"""The last active admin cannot be disabled, demoted or deleted through any door (issue #11, items 0
and 28): portal, API, Django admin (form, delete page, bulk delete), commands, and the model itself.
Recovery is `manage.py recover_admin` on the server."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from anemone.accounts import last_admin
from anemone.accounts.models import AccountLink, User
from anemone.models import SiteSettings

pytestmark = pytest.mark.django_db


def still_admin(user) -> bool:  # type: ignore[no-untyped-def]
    user.refresh_from_db()
    return user.is_staff and user.is_active


@pytest.mark.parametrize("change", [{"is_active": False}, {"is_admin": False}, {"is_admin": False, "is_active": False}])
def test_the_api_refuses_to_leave_no_active_admin(api, admin_user, change):
    response = api(admin_user).patch(f"/api/v1/users/{admin_user.pk}/", change, format="json")
    assert response.status_code == 400
    assert "last active admin" in str(response.json())
    assert still_admin(admin_user)


def test_the_api_has_no_delete_of_people(api, admin_user):
    assert api(admin_user).delete(f"/api/v1/users/{admin_user.pk}/").status_code == 405
    assert still_admin(admin_user)


def test_the_api_lets_an_admin_step_down_when_another_admin_remains(api, admin_user):
    from tests.conftest import make_person

    make_person("second", admin=True)
    response = api(admin_user).patch(f"/api/v1/users/{admin_user.pk}/", {"is_admin": False}, format="json")
    assert response.status_code == 200
    admin_user.refresh_from_db()
    assert not admin_user.is_staff and not admin_user.is_superuser


def test_an_admin_who_never_activated_does_not_count(api, admin_user):
    from anemone.accounts import services

    services.create_user("newboss", is_admin=True)  # has an activation link, cannot log in yet
    response = api(admin_user).patch(f"/api/v1/users/{admin_user.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 400 and still_admin(admin_user)


def test_the_portal_refuses_self_demotion(client, admin_user):
    client.force_login(admin_user)
    response = client.post(f"/users/{admin_user.pk}/", {"quota_total_gb": 1, "quota_backup_gb": 1, "language": "",
                                                        "is_active": "on"}, follow=True)
    assert "cannot remove your own admin rights" in response.content.decode()
    assert still_admin(admin_user)


def test_the_django_admin_form_refuses_to_demote_the_last_admin(client, admin_user):
    client.force_login(admin_user)
    url = f"/admin/accounts/user/{admin_user.pk}/change/"
    response = client.post(url, {"username": "admin", "email": "admin@example.org", "language": "",
                                 "is_active": "on", "quota_total_bytes": 0, "quota_backup_bytes": 0})
    assert response.status_code == 200 and "last active admin" in response.content.decode()
    assert still_admin(admin_user)


def test_the_django_admin_refuses_to_delete_the_last_admin(client, admin_user, alice):
    client.force_login(admin_user)
    url = f"/admin/accounts/user/{admin_user.pk}/delete/"
    page = client.get(url).content.decode()
    assert "last active admin" in page
    client.post(url, {"post": "yes"})
    assert still_admin(admin_user)
    bulk = client.post("/admin/accounts/user/", {"action": "delete_selected", "post": "yes",
                                                 "_selected_action": [admin_user.pk, alice.pk]})
    assert "last active admin" in bulk.content.decode()
    assert User.objects.filter(pk__in=[admin_user.pk, alice.pk]).count() == 2


def test_the_django_admin_still_deletes_a_person(client, admin_user, alice):
    client.force_login(admin_user)
    client.post(f"/admin/accounts/user/{alice.pk}/delete/", {"post": "yes"})
    assert not User.objects.filter(pk=alice.pk).exists()


def test_the_command_refuses_to_disable_or_demote_the_last_admin(admin_user):
    for flag in ("--disable", "--no-admin"):
        with pytest.raises(CommandError, match="last active admin"):
            call_command("edit_user", "admin", flag)
    assert still_admin(admin_user)


def test_the_model_is_the_backstop_for_any_other_path(admin_user):
    admin_user.is_active = False
    with pytest.raises(last_admin.LastAdminError):
        admin_user.save()
    with pytest.raises(last_admin.LastAdminError):
        User.objects.get(pk=admin_user.pk).delete()
    assert still_admin(admin_user)


def test_recover_admin_promotes_and_prints_a_reset_link(alice, admin_user):
    SiteSettings.objects.filter(pk=1).update(portal_url="https://nas.example.org")
    User.objects.filter(pk=admin_user.pk).update(is_active=False)  # the admin was lost
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(username="alice", ip_address="192.0.2.5", user_agent="", http_accept="",
                                 path_info="/login/", get_data="", post_data="", failures_since_start=9)
    out = io.StringIO()
    call_command("recover_admin", "alice", stdout=out, stderr=io.StringIO())
    assert still_admin(alice) and alice.is_superuser
    assert out.getvalue().startswith("https://nas.example.org/reset/")
    assert AccountLink.objects.filter(user=alice, purpose=AccountLink.RESET, used_at=None).exists()
    assert not AccessAttempt.objects.filter(username="alice").exists()  # not locked out by old typos
    with pytest.raises(CommandError, match="create_user"):
        call_command("recover_admin", "nobody")
