"""Conditions worth telling that are not a run's outcome: a target with no good copy for too long, a peer
unreachable or silent, a disk nearly full or failing, a drill whose damage is not repaired...

Each app declares a `Watch` (in its AppConfig.ready(), like run kinds and channels): a function of the
present state that returns what is wrong *now*, as `Finding`s. One system job (`check_all`, every few
minutes) compares that with the open problems of the watch: a new finding opens a Problem and is told once;
a problem no longer found is closed with one "recovered"; a finding still there is not told again. So the
alert follows the state, not the events: a NAS that was off for a week sends one message per thing wrong
when it comes back, not a backlog, and nothing at all for what cleared meanwhile. A watch that raises is
logged and its problems are left as they are (an unreadable state is not "recovered").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from django.db import transaction
from django.utils import timezone

from anemone.alerts import jobs
from anemone.alerts.models import Problem
from anemone.alerts.registry import Alert

log = logging.getLogger(__name__)
RECOVERED = jobs.RECOVERED


@dataclass(frozen=True)
class Finding:
    """One thing wrong now. ``key`` must stay the same while it lasts (it names the Problem)."""

    key: str  # unique within the watch, e.g. "cloud:3" (stored as "<watch>:<key>")
    event: str  # what it is: "overdue", "peer-unreachable", "peer-silent", "disk-full", "smart", ...
    title: dict[str, Any]  # a message (messages.msg): short, names the thing ("Backup late: Famille cloud")
    body: dict[str, Any]  # a message: what is wrong, since when, what to do
    link: str  # the path of the page that explains and fixes it (for admins)
    label: str = ""  # the thing's name as stored on the Problem (admin list)
    kind: str = ""  # a run kind when the finding is about a target, else the watch's name
    target_id: int = 0
    people: tuple[int, ...] = field(default=())  # whose files it concerns (their own opt-in alerts)
    also_email: tuple[str, ...] = field(default=())  # addresses outside the channels (a peer's contact)
    also_language: str = ""  # the language of those addresses ("": the server's default)
    people_link: str = ""  # the page for the people concerned, when the admins' is not theirs ("": link)

    def stored(self) -> dict[str, Any]:
        return {"event": self.event, "title": self.title, "body": self.body, "link": self.link,
                "people": list(self.people), "people_link": self.people_link, "also_email": list(self.also_email),
                "also_language": self.also_language}


class Watch:
    name: ClassVar[str]  # short and stable: the prefix of its problems' keys

    def findings(self, now: datetime) -> list[Finding]:
        """Everything this watch finds wrong at ``now``; must be cheap and never touch the network of a
        peer whose tunnel is down (read stored state: health checklists, heartbeats, files on disk)."""
        raise NotImplementedError


_WATCHES: dict[str, Watch] = {}


def register(watch: Watch) -> Watch:
    _WATCHES[watch.name] = watch
    return watch


def unregister(name: str) -> None:
    _WATCHES.pop(name, None)


def watches() -> list[Watch]:
    return list(_WATCHES.values())


def check_all(now: datetime | None = None) -> int:
    """The system job: ask every watch, open and close problems, tell what changed. Returns the alerts told."""
    now = now or timezone.now()
    told = 0
    for watch in watches():
        try:
            found = {f"{watch.name}:{finding.key}": finding for finding in watch.findings(now)}
        except Exception:
            log.exception("watch %s failed; its problems are left open as they were", watch.name)
            continue
        for alert in _follow(watch.name, found, now):
            jobs.deliver(alert)
            told += 1
    return told


def _follow(watch: str, found: dict[str, Finding], now: datetime) -> list[Alert]:
    alerts: list[Alert] = []
    with transaction.atomic():
        open_problems = {p.key: p for p in Problem.objects.select_for_update().filter(watch=watch)}
        for key, problem in open_problems.items():
            if key not in found:
                problem.delete()
                alerts.append(_alert(problem, problem.finding, RECOVERED))
        for key, finding in found.items():
            if key not in open_problems:
                problem, created = Problem.objects.get_or_create(key=key, defaults={
                    "watch": watch, "kind": finding.kind or watch, "target_id": finding.target_id,
                    "target_label": finding.label[:128], "since": now, "finding": finding.stored(),
                    "events_sent": [finding.event]})
                if created:
                    alerts.append(_alert(problem, problem.finding, finding.event))
                continue
            problem = open_problems[key]
            if problem.finding != finding.stored():  # still wrong; keep its latest words for "recovered"
                problem.finding = finding.stored()
                problem.save(update_fields=["finding"])
    return alerts


def _alert(problem: Problem, said: dict[str, Any], event: str) -> Alert:
    return Alert(event=event, kind=problem.kind, target_label=problem.target_label, run_id=0, status="",
                 target_id=problem.target_id, since=problem.since, key=problem.key, title=said.get("title"),
                 body=said.get("body"), link=said.get("link", ""), people=tuple(said.get("people", ())),
                 people_link=said.get("people_link", ""),
                 also_email=tuple(said.get("also_email", ())), also_language=said.get("also_language", ""))
