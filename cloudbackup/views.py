"""Cloud pages: destinations (admin), the SSH key, test, sync now, and restore (everyone)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anemone import confirm
from anemone.accounts.models import User
from anemone.decorators import admin_required
from anemone.engines import ssh
from anemone.engines.rclone import RcloneError
from anemone.files.paths import PathRefused
from anemone.runs import history
from anemone.runs import services as runs
from anemone.runs.models import Run, Trigger
from anemone.runs.schedules import describe, next_run
from anemone.runs.services import RunActive, last_runs_by_target
from cloudbackup import backends, connection, keys, kinds, restore, services, sync
from cloudbackup.forms import DestinationForm, RestoreForm
from cloudbackup.models import Destination


@admin_required
def index(request: HttpRequest) -> HttpResponse:
    latest = last_runs_by_target(sync.KIND)
    # The last good copy: the newest real (not preview) sync that succeeded for everyone, failures since beside it.
    rows = [(d, latest.get(d.pk), history.target_backup_state(sync.KIND, d.pk, d.name), describe(d),
             next_run(d) if d.enabled else None) for d in Destination.objects.all()]
    public = keys.public_key()
    return render(request, "cloudbackup/index.html", {
        "title": _("Cloud backup"), "rows": rows, "public_key": public,
        "authorized_line": keys.authorized_keys_line(public) if public else "",
        "key_users": keys.destinations_using_key(),
    })


@admin_required
@require_POST
def generate_key(request: HttpRequest) -> HttpResponse:
    if keys.public_key() and not request.POST.get("confirm"):
        messages.error(request, _("Tick the confirmation: the destinations using the current key will stop working."))
        return redirect("cloudbackup:index")
    replacing = keys.key_path().exists()
    keys.generate(replace=replacing)
    messages.success(request, _("New SSH key generated. Add its public key to each SFTP server.")
                     + (" " + _("The old key is kept as certs/rclone_key.previous.") if replacing else ""))
    return redirect("cloudbackup:index")


@admin_required
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    dest = get_object_or_404(Destination, pk=pk) if pk else Destination()
    # A new destination starts nightly: one left on "manual only" by oversight never backs anything up.
    new = {"key_path": keys.KEY_RELATIVE, "schedule_kind": "daily", "schedule_time": "02:30"}
    form = DestinationForm(request.POST or None, instance=dest, initial={} if pk else new)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_destination(form.save(commit=False), secrets=form.secrets(),
                                              users=form.cleaned_data["users"],
                                              carry_everyone=form.cleaned_data["carry_everyone"])
        except (services.DestinationInvalid, ValidationError) as exc:
            form.add_error(None, str(exc) if isinstance(exc, services.DestinationInvalid) else exc)
        else:
            messages.success(request, _("Destination saved. Test its connection."))
            return redirect("cloudbackup:detail", pk=saved.pk)
    return render(request, "cloudbackup/edit.html", {"form": form, "dest": dest,
                                                      "secrets": services.secret_state(dest) if pk else {},
                                                      "rclone_conf": backends.rclone_conf(),
                                                      "title": dest.name or _("New destination")})


@admin_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    dest = get_object_or_404(Destination, pk=pk)
    runs = Run.objects.filter(kind=sync.KIND, target_id=dest.pk)[:20]
    pinned = ssh.host_key_fingerprint(dest.host_key) if dest.host_key else ""
    return render(request, "cloudbackup/detail.html", {"dest": dest, "runs": runs, "schedule": describe(dest),
                                                        "next_run": next_run(dest) if dest.enabled else None,
                                                        "secrets": services.secret_state(dest), "title": dest.name,
                                                        "pinned": pinned})


@admin_required
@require_POST
def forget_host_key(request: HttpRequest, pk: int) -> HttpResponse:
    dest = get_object_or_404(Destination, pk=pk)
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the confirmation to forget the pinned host key."))
        return redirect("cloudbackup:detail", pk=pk)
    services.forget_host_key(dest)
    messages.success(request, _("Pinned host key forgotten. Test the connection to pin the key the server shows now: "
                                "compare its fingerprint with the one the server's admin reads with "
                                "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub."))
    return redirect("cloudbackup:detail", pk=pk)


@admin_required
@require_POST
def test(request: HttpRequest, pk: int) -> HttpResponse:
    result = connection.test_connection(get_object_or_404(Destination, pk=pk))
    (messages.success if result.ok else messages.error)(request, result.message)
    return redirect("cloudbackup:detail", pk=pk)


@admin_required
@require_POST
def sync_now(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        dest = get_object_or_404(Destination, pk=pk)
        options = {"dry_run": bool(request.POST.get("dry_run")),
                   **({"recreate_remote": True} if request.POST.get("recreate_remote") else {})}
        runs.request(kinds.CloudSync.name, dest, trigger=Trigger.MANUAL, user=request.user, options=options)
    except RunActive:
        messages.error(request, _("A sync of this destination is already running."))
    return redirect("cloudbackup:detail", pk=pk)


@admin_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    dest = get_object_or_404(Destination, pk=pk)
    if not confirm.typed(request, dest.name):
        messages.error(request, _("Type the destination's name to delete it."))
        return redirect("cloudbackup:detail", pk=pk)
    services.delete_destination(dest)
    messages.success(request, _("Destination removed. Its remote copy was left untouched."))
    return redirect("cloudbackup:index")


def _listed_versions(request: HttpRequest, mine, person) -> tuple[Destination | None, list[str] | None]:
    """The destination chosen with "List versions" (?destination=pk) and its version times for that person."""
    chosen = mine.filter(pk=request.GET.get("destination")).first() if request.GET.get("destination", "").isdigit() else None
    if chosen is None:
        return None, None
    try:
        return chosen, restore.versions(chosen, person)
    except RcloneError as exc:
        messages.error(request, _("Could not list the versions of %(name)s: %(why)s") % {"name": chosen.name, "why": exc})
        return chosen, None


@login_required
def restore_page(request: HttpRequest) -> HttpResponse:
    """Everyone restores their own files; an admin may pick anyone's (they land in that person's backup area)."""
    user = cast(User, request.user)  # login_required
    people = User.objects.filter(is_active=True, activated_at__isnull=False) if user.is_staff else None
    wanted = (request.POST.get("person") or request.GET.get("person")) if people is not None else None
    person = people.filter(pk=wanted).first() if people is not None and wanted and wanted.isdigit() else None
    person = person or user
    mine = Destination.objects.filter(pk__in=[d.pk for d in Destination.objects.all() if d.carries(person)])
    chosen, versions = _listed_versions(request, mine, person) if request.method == "GET" else (None, None)
    initial = {"person": person, **({"destination": chosen} if chosen else {})}
    form = RestoreForm(request.POST or None, destinations=Destination.objects.all() if people is not None else mine,
                       versions=versions, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data.get("person") or user
        try:
            restore.request_restore(form.cleaned_data["destination"], person, path=form.cleaned_data["path"],
                                    version=form.cleaned_data["version"], requested_by=user)
        except (PathRefused, RunActive) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Restore started: files go back where they were in the backup area of "
                                        "%(person)s; a file changed since stays and the restored one lands beside "
                                        "it. The run below says where everything went.")
                             % {"person": person.username} if person != user else
                             _("Restore started: files go back where they were in your backup area; a file changed "
                               "since stays and the restored one lands beside it. The run below says where "
                               "everything went."))
            return redirect("cloudbackup:restore")
    runs = Run.objects.filter(Q(target_id=user.pk) | Q(requested_by=user), kind=restore.KIND)[:10]
    return render(request, "cloudbackup/restore.html", {"form": form, "runs": runs, "title": _("Restore from the cloud"),
                                                         "destinations": mine, "chosen": chosen, "versions": versions,
                                                         "people": people, "person": person})
