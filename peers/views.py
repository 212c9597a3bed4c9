"""Peers pages: my server (identity form + invitation code), add by code, checklist, incoming backups.

No page starts a network check: the checklist shows the stored result of the last check (the Check now
button, the API, the CLI or the schedule ran it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anemone import confirm
from anemone.decorators import admin_required
from peers import codes, health, host_report, services, tunnel
from peers.forms import IdentityForm, PeerWatchForm
from peers.identity import get_identity
from peers.models import Peer
from peers.reciprocity import reciprocity
from peers.services import refusal


def _index(request: HttpRequest, form: IdentityForm, status: int = 200) -> HttpResponse:
    status_by_key = tunnel.status()
    rows = []
    for peer in Peer.objects.all():
        used, repos, last = services.folder_usage(peer.folder or peer.name)
        rows.append({"peer": peer, "wg": status_by_key.get(peer.wg_public_key), "used": used, "repos": repos,
                     "last_write": datetime.fromtimestamp(last, tz=UTC) if last else None,
                     "there": reciprocity(peer), "silent": _silent(peer)})
    return render(request, "peers/index.html", {
        "title": _("Peers"), "identity": get_identity(), "code": codes.encode(services.my_invitation()), "rows": rows,
        "identity_form": form,
    }, status=status)


def _silent(peer: Peer) -> bool:
    """Past its "warn when silent" threshold, as the peer-silent watch last noted it (stored, no walk)."""
    return bool(peer.silent_after_days and peer.last_write_at
                and timezone.now() - peer.last_write_at >= timedelta(days=peer.silent_after_days))


@admin_required
def index(request: HttpRequest) -> HttpResponse:
    return _index(request, IdentityForm(instance=get_identity()))


@admin_required
@require_POST
def my_server(request: HttpRequest) -> HttpResponse:
    """Save the My server form through the same service as `manage.py identity`."""
    form = IdentityForm(request.POST, instance=get_identity())
    if not form.is_valid():
        return _index(request, form, status=400)
    try:
        services.update_identity(**{name: form.cleaned_data[name] for name in form.Meta.fields})
    except ValidationError as exc:
        form.add_error(None, refusal(exc))
        return _index(request, form, status=400)
    messages.success(request, _("My server saved. Send your friends your new invitation code if you changed the "
                                "endpoint, the VPN address or a port."))
    return redirect("peers:index")


@admin_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """What a pasted code says (its server, addresses, keys, the contact it gives) before anything is saved."""
    code = request.POST.get("code", "")
    try:
        invitation = codes.decode(code)
    except codes.CodeInvalid as exc:
        messages.error(request, str(exc))
        return redirect("peers:index")
    known = Peer.objects.filter(wg_public_key=invitation.wg_public_key).first()
    return render(request, "peers/preview.html", {"title": _("Add a friend's server"), "invitation": invitation,
                                                  "code": code, "name": request.POST.get("name", ""), "known": known})


@admin_required
@require_POST
def add(request: HttpRequest) -> HttpResponse:
    try:
        paired = services.pair_from_code(request.POST.get("code", ""), name=request.POST.get("name") or None)
    except codes.CodeInvalid as exc:
        messages.error(request, str(exc))
        return redirect("peers:index")
    except ValidationError as exc:
        messages.error(request, refusal(exc))
        return redirect("peers:index")
    if paired.our_new_address:
        messages.info(request, _("Both servers had the VPN address %(old)s: this server now uses %(new)s.")
                      % {"old": paired.our_old_address, "new": paired.our_new_address})
    messages.success(request, _("Peer %(name)s added. Send them your own invitation code too.") % {"name": paired.peer.name})
    return redirect("peers:detail", pk=paired.peer.pk)


@admin_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    peer = get_object_or_404(Peer, pk=pk)
    return _detail(request, peer, PeerWatchForm(instance=peer))


def _detail(request: HttpRequest, peer: Peer, form: PeerWatchForm, status: int = 200) -> HttpResponse:
    return render(request, "peers/detail.html", {"peer": peer, "checks": health.last_results(peer), "title": peer.name,
                                                 "host_check": host_report.as_check(peer), "watch_form": form},
                  status=status)


@admin_required
@require_POST
def watch(request: HttpRequest, pk: int) -> HttpResponse:
    """The peer's "warn when silent" threshold and its admin's contact (services.save_peer, like the API)."""
    peer = get_object_or_404(Peer, pk=pk)
    form = PeerWatchForm(request.POST, instance=peer)
    if not form.is_valid():
        return _detail(request, Peer.objects.get(pk=pk), form, status=400)
    try:
        services.save_peer(form.instance)
    except ValidationError as exc:
        form.add_error(None, refusal(exc))
        return _detail(request, Peer.objects.get(pk=pk), form, status=400)
    messages.success(request, _("Saved."))
    return redirect("peers:detail", pk=pk)


@admin_required
@require_POST
def check_now(request: HttpRequest, pk: int) -> HttpResponse:
    """The Check now button: run the checklist (in order, stopping at the first failure) and store it."""
    peer = get_object_or_404(Peer, pk=pk)
    health.check_now(peer)
    return redirect("peers:detail", pk=pk)


@admin_required
@require_POST
def toggle(request: HttpRequest, pk: int) -> HttpResponse:
    peer = get_object_or_404(Peer, pk=pk)
    services.set_enabled(peer, not peer.enabled)
    return redirect("peers:detail", pk=pk)


@admin_required
@require_POST
def delete_data(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete what a peer stored here (its access stays); typed confirmation."""
    peer = get_object_or_404(Peer, pk=pk)
    if not confirm.typed(request, peer.name):
        messages.error(request, _("Type the peer's name to confirm."))
    else:
        services.delete_stored_data(peer.folder or peer.name)
        services.peer_root(peer).mkdir(mode=0o700, exist_ok=True)
        messages.success(request, _("The backups %(name)s stored here were deleted.") % {"name": peer.name})
    return redirect("peers:detail", pk=pk)


@admin_required
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    peer = get_object_or_404(Peer, pk=pk)
    if not confirm.typed(request, peer.name):
        messages.error(request, _("Type the peer's name to confirm."))
        return redirect("peers:detail", pk=pk)
    services.remove_peer(peer, delete_data=bool(request.POST.get("delete_data")))
    messages.success(request, _("Peer removed; its access was revoked at once."))
    return redirect("peers:index")
