"""P2P target fields that reach rclone/restic arguments refuse a trailing newline (Python's `$` matches before
one; the rules end in `\\Z`)."""

import pytest
from django.core.exceptions import ValidationError

from p2p.models import BASE_PATH, HOST, LOGIN


@pytest.mark.parametrize("validator,good", [(BASE_PATH, "anemone/home"), (LOGIN, "bob"), (HOST, "nas.example.org")])
def test_a_trailing_newline_is_refused(validator, good):
    validator(good)
    validator("")  # empty means "the peer's default"
    with pytest.raises(ValidationError):
        validator(good + "\n")
