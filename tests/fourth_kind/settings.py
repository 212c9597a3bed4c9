"""The test settings plus a throwaway fourth backup kind (tests/fourth_kind): used only by
tests/anemone/test_fourth_kind.py, which runs its checks in a pytest of their own with these settings."""

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.fourth_kind"]  # noqa: F405
MIGRATION_MODULES = {**MIGRATION_MODULES, "fourth_kind": None}  # noqa: F405  (tables made from the model)
