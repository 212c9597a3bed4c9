"""The test settings plus a throwaway fourth backup kind (tests/fourth_kind): used only by
tests/anemone/test_fourth_kind.py, which runs its checks in a pytest of their own with these settings."""

from tests.settings import *  # noqa: F403

# Its table comes from tests/fourth_kind/migrations (made with makemigrations under these settings).

INSTALLED_APPS = [*INSTALLED_APPS, "tests.fourth_kind"]  # noqa: F405
