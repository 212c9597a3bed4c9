"""The alert receivers live in tests/fixtures/receivers.py (a plugin of tests/conftest.py)."""
