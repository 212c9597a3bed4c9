"""Peers pages: my server (identity + invitation code), add by code, checklist, incoming backups."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from p2p.services import reciprocity
from peers import codes, health, services, tunnel
from peers.identity import get_identity
from peers.models import Peer


@staff_member_required
def index(request: HttpRequest) -> HttpResponse:
    status = tunnel.status()
    rows = []
    for peer in Peer.objects.all():
        used, repos, last = services.folder_usage(peer.name)
        rows.append({"peer": peer, "wg": status.get(peer.wg_public_key), "used": used, "repos": repos,
                     "last_write": datetime.fromtimestamp(last, tz=UTC) if last else None,
                     "there": reciprocity(peer)})
    return render(request, "peers/index.html", {
        "title": _("Peers"), "identity": get_identity(), "code": codes.encode(services.my_invitation()), "rows": rows,
    })


@staff_member_required
@require_POST
def add(request: HttpRequest) -> HttpResponse:
    try:
        peer = services.peer_from_invitation(codes.decode(request.POST.get("code", "")),
                                             name=request.POST.get("name") or None)
        services.save_peer(peer)
    except codes.CodeInvalid as exc:
        messages.error(request, str(exc))
        return redirect("peers:index")
    except ValidationError as exc:
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
        return redirect("peers:index")
    messages.success(request, _("Peer %(name)s added. Send them your own invitation code too.") % {"name": peer.name})
    return redirect("peers:detail", pk=peer.pk)


@staff_member_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    peer = get_object_or_404(Peer, pk=pk)
    checks = health.run_checks(peer) if request.GET.get("check", "1") == "1" else []
    return render(request, "peers/detail.html", {"peer": peer, "checks": checks, "title": peer.name})


@staff_member_required
@require_POST
def toggle(request: HttpRequest, pk: int) -> HttpResponse:
    peer = get_object_or_404(Peer, pk=pk)
    peer.enabled = not peer.enabled
    services.save_peer(peer)
    return redirect("peers:detail", pk=pk)


@staff_member_required
@require_POST
def delete_data(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete what a peer stored here (its access stays); typed confirmation."""
    peer = get_object_or_404(Peer, pk=pk)
    if request.POST.get("confirm_name") != peer.name:
        messages.error(request, _("Type the peer's name to confirm."))
    else:
        services.delete_stored_data(peer.name)
        (services.incoming_root() / peer.name).mkdir(mode=0o700, exist_ok=True)
        messages.success(request, _("The backups %(name)s stored here were deleted.") % {"name": peer.name})
    return redirect("peers:detail", pk=pk)


@staff_member_required
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    peer = get_object_or_404(Peer, pk=pk)
    if request.POST.get("confirm_name") != peer.name:
        messages.error(request, _("Type the peer's name to confirm."))
        return redirect("peers:detail", pk=pk)
    services.remove_peer(peer, delete_data=bool(request.POST.get("delete_data")))
    messages.success(request, _("Peer removed; its access was revoked at once."))
    return redirect("peers:index")
