"""Watching restic's stderr while it runs: a peer that went away or filled its disk ends the command in seconds
(split from restic.py, which re-exports PeerWatch)."""

from __future__ import annotations

import time
from collections.abc import Callable

from anemone.engines.restic_errors import NoSpace, ResticError, Unreachable, classify, stderr_signal

UNREACHABLE_GRACE = 20.0  # s of "server cannot be reached" from rclone, with no progress, before restic is stopped


class PeerWatch:
    """Reads restic's stderr while it runs, so that a server that went away ends the command in seconds.

    restic retries a failed upload with growing pauses for up to 15 minutes, and the rclone under it
    retries each connection too: measured with restic 0.14, a SIGKILLed peer endpoint (connection
    refused) kept a backup going until the stall watchdog, 364 s later, and the run then said only
    "server response unexpected: 500". Here:

    - rclone saying the server cannot be reached (connection refused/lost, no route, timeouts) for
      ``grace`` seconds with no progress since → ``Unreachable``; a blip that restic's retry got over
      (no such line for ``grace`` seconds) is forgotten;
    - "no space left on device" from the server → ``NoSpace`` at once (retrying cannot free space);
    - the strongest such signal is remembered, so the final error names it even after restic's
      retries pushed rclone's lines out of the kept tail and restic only says "500".
    """

    def __init__(self, grace: float = UNREACHABLE_GRACE, clock: Callable[[], float] = time.monotonic) -> None:
        self.grace = grace
        self.clock = clock  # a test passes its own, so timing does not depend on the machine's load
        self.unreachable_since: float | None = None
        self.last_signal = 0.0
        self.seen: ResticError | None = None

    def progress(self) -> None:
        """Something moved: a passing blip is forgotten."""
        self.unreachable_since = None

    def stderr(self, line: str) -> None:
        signal = stderr_signal(line)
        if isinstance(signal, NoSpace):
            self.seen = signal
            raise NoSpace(str(signal))
        if isinstance(signal, Unreachable):
            self.seen = self.seen or signal
            self.last_signal = self.clock()
            if self.unreachable_since is None:
                self.unreachable_since = self.last_signal

    def check(self) -> None:
        if self.unreachable_since is not None and self.clock() - self.last_signal > self.grace:
            self.unreachable_since = None  # restic's retry got through: no word of failure since
        if self.unreachable_since is not None and self.clock() - self.unreachable_since > self.grace:
            raise Unreachable(f"{self.seen or 'the server cannot be reached'}: no answer for {self.grace:.0f} s "
                              "while restic kept retrying")

    def classify(self, stderr: str, returncode: int) -> ResticError:
        error = classify(stderr, returncode)
        if self.seen is not None and type(error) is ResticError:  # restic's own words say only "500"
            return self.seen
        return error
