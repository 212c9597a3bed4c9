"""API of accounts (filled by the accounts work)."""


def register(router) -> None:  # type: ignore[no-untyped-def]
    return None
