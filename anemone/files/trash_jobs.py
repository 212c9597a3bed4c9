"""Trash purge as a run (placeholder; the files work fills it)."""


def request_purge(target_id: int = 0, trigger: str = "schedule", user=None):  # type: ignore[no-untyped-def]
    return None
