"""Access rules for portal pages, shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A portal page for admins only.

    Django's ``staff_member_required`` sends everyone else to the Django admin's login page: a person already
    logged in was asked to log in again somewhere else. Here an anonymous visitor goes to the portal's login and
    comes back afterwards; a logged-in person who is not an admin gets the product's 403 page.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
