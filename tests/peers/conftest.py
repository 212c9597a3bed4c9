"""Helpers for the peers tests: a recorder of every connection and process this Python process starts,
and a friend's invitation with its own keys."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

_active: list[Trace] = []


@dataclass
class Trace:
    connects: list[object] = field(default_factory=list)
    processes: list[list[str]] = field(default_factory=list)

    def remote_connects(self) -> list[object]:
        """Connections to anything but this machine's loopback and local sockets."""
        return [address for address in self.connects
                if isinstance(address, tuple) and not str(address[0]).startswith(("127.", "::1", "localhost"))]

    def engines(self) -> list[list[str]]:
        """restic, rclone, ssh or sftp processes started (they would connect to the peer themselves)."""
        names = ("restic", "rclone", "ssh", "sftp")
        return [argv for argv in self.processes if any(str(part).rsplit("/", 1)[-1] in names for part in argv[:6])]


def _hook(event: str, args: tuple) -> None:  # type: ignore[type-arg]
    if not _active:
        return
    if event == "socket.connect":
        for trace in _active:
            trace.connects.append(args[1])
    elif event == "subprocess.Popen":
        for trace in _active:
            trace.processes.append([str(a) for a in (args[1] or [args[0]])])


_installed = False


@pytest.fixture
def network_trace() -> Iterator[Trace]:
    """Every socket.connect and subprocess.Popen of this process while the test runs (sys.addaudithook)."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
    trace = Trace()
    _active.append(trace)
    yield trace
    _active.remove(trace)


from tests.p2p.conftest import friend  # noqa: E402, F401 (the P2P tests' peer on 127.0.0.1: ourselves)
