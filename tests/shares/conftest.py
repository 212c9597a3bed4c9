import pytest


@pytest.fixture(autouse=True)
def _fast(fast_hashing):  # type: ignore[no-untyped-def]
    """Dozens of password checks: the fast hasher, before the personas are made."""
