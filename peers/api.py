"""API of this app: `register(router)` adds its viewsets under /api/v1/."""


def register(router) -> None:  # type: ignore[no-untyped-def]
    return None
