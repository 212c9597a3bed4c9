from django.http import HttpRequest

from anemone.models import SiteSettings


def server(request: HttpRequest) -> dict[str, object]:
    """Server name and navigation state for every template."""
    try:
        name = SiteSettings.load().server_name
    except Exception:  # database not migrated yet (first start)
        name = "Anemone"
    return {"server_name": name}
