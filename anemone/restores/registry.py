"""Restore sources: one `RestoreSource` per kind that keeps copies people can restore from.

Each kind registers its source in its AppConfig.ready() (like its run kinds); the hub (anemone.restores.views)
asks every source what it offers this person and renders each with the source's own template, so core never
imports a kind and a fourth kind's restores appear by registering one more source.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.functional import Promise


class RestoreSource:
    name: ClassVar[str]  # also the id of its section on the hub
    label: ClassVar[str | Promise]  # the section's heading
    template: ClassVar[str]  # renders `offers` (and `person`) inside the hub
    restore_kinds: ClassVar[tuple[str, ...]] = ()  # run kinds of a person's restores (Run.target_id = person)

    def offers(self, person: Any) -> list[Any]:
        """What this person can restore from here: only copies that carry them (never anyone else's)."""
        raise NotImplementedError


_SOURCES: dict[str, RestoreSource] = {}


def register(source: RestoreSource) -> RestoreSource:
    _SOURCES[source.name] = source
    return source


def unregister(name: str) -> None:
    _SOURCES.pop(name, None)


def sources() -> list[RestoreSource]:
    return list(_SOURCES.values())


def restore_kinds() -> list[str]:
    return [kind for source in _SOURCES.values() for kind in source.restore_kinds]
