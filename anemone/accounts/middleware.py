"""Per-user language, and the setup wizard as the only page until setup is done (a stored fact)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import translation

SETUP_OPEN_PREFIXES = ("/setup", "/static/", "/health", "/ready", "/metrics", "/i18n/", "/api/schema", "/api/docs",
                       "/usb/import")


class UserLanguageMiddleware:
    """A logged-in person's language wins over the browser's (runs after authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class SetupRequiredMiddleware:
    """Until setup is done (``SiteSettings.setup_completed_at``), every page leads to the setup wizard.

    Once done it stays done: losing every admin later does not reopen the wizard (recover_admin does).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from anemone.accounts.setup import setup_done

        # One indexed EXISTS query per request; not cached, so a restored or reset database is seen at once.
        if not request.path.startswith(SETUP_OPEN_PREFIXES) and not setup_done():
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": translation.gettext("Setup is not finished.")}, status=503)
            return redirect("setup")
        return self.get_response(request)
