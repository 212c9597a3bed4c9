"""A kind's precheck may give its skip reason as a message (code + params) or, as before, as plain text."""

from __future__ import annotations

import pytest
from django.utils import translation

from anemone.runs import registry, services
from anemone.runs.messages import msg
from anemone.runs.models import RunStatus
from anemone.runs.registry import RunKind

pytestmark = pytest.mark.django_db


class Skipping(RunKind):
    """Skips every run with whatever ``reason`` says (a throwaway kind for this test)."""

    name = "test-skipping"
    label = "Skipping"
    reason: object = None

    def precheck(self, run):  # type: ignore[no-untyped-def]
        return self.reason

    def body(self, run, tracker):  # type: ignore[no-untyped-def]
        raise AssertionError("a skipped run never reaches its body")


@pytest.fixture
def kind():  # type: ignore[no-untyped-def]
    registered = registry.register(Skipping())
    yield registered
    registry.unregister(Skipping.name)


def test_a_coded_reason_is_stored_as_data_and_read_in_each_language(kind):  # type: ignore[no-untyped-def]
    kind.reason = msg("runs.unexpected_error", error="no drive")
    run = services.request(kind, None, inline=True)
    assert run.status == RunStatus.SKIPPED
    assert (run.message_code, run.message_params) == ("runs.unexpected_error", {"error": "no drive"})
    assert run.message == "Unexpected error: no drive. The log tail has details."
    with translation.override("fr"):
        assert run.shown_message == "Erreur inattendue : no drive. La fin du journal donne les détails."


def test_a_plain_text_reason_still_works(kind):  # type: ignore[no-untyped-def]
    kind.reason = "the drive is absent"
    run = services.request(kind, None, inline=True)
    assert (run.status, run.message, run.message_code) == (RunStatus.SKIPPED, "the drive is absent", "")
