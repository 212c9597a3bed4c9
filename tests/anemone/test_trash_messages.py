"""The daily trash purge's message is stored as a code: French for a French reader, English in `message`."""

from __future__ import annotations

import pytest
from django.utils import translation

from anemone import crypto
from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def test_the_trash_purge_reads_in_french_and_keeps_its_english():
    crypto.create_master_key()  # people's accounts need it
    make_person("alice")
    run = request_run("trash", None, inline=True)
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.message_code == "runs.lines"
    assert run.message.startswith("0 trash entries older than ") and run.message.endswith(" days deleted")
    with translation.override("fr"):
        said = run.shown_message
    assert said.startswith("0 éléments de la corbeille de plus de ") and said.endswith(" jours supprimés"), said
