from rest_framework.permissions import BasePermission


class IsAdmin(BasePermission):
    """Staff only (the server's admins)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)
