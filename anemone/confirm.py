"""Typed confirmations (remove a peer or a destination, delete stored backups): one check, one partial
(templates/partials/typed_confirmation.html)."""

from django.http import HttpRequest


def typed(request: HttpRequest, expected: str) -> bool:
    """Did the person type the name of what goes? (surrounding spaces forgiven: phones add them)"""
    return bool(expected) and request.POST.get("confirm_name", "").strip() == expected
