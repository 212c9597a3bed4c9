"""The admin dashboard's reciprocity picture: per peer, what it stores here against the cap we agreed, and
what we store there (peers.reciprocity; P2P fills in our side). Registered with core's dashboard in
PeersConfig.ready(), since core never imports an app."""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from anemone import charts
from anemone.dashboard_charts import Chart, size
from peers.models import Peer
from peers.reciprocity import reciprocity


def _said(value: int, cap: int) -> str:
    return _("%(used)s of %(cap)s") % {"used": filesizeformat(value), "cap": filesizeformat(cap)} if cap \
        else str(filesizeformat(value))


def reciprocity_chart() -> Chart | None:
    """Two bars per peer (here, there); the tick is the storage cap of what it may keep here."""
    rows = []
    for peer in Peer.objects.all():
        figures = reciprocity(peer)
        here, there = figures.stored_here_bytes, figures.stored_there_bytes
        cap = peer.storage_cap_bytes
        label_here = _("%(peer)s keeps here") % {"peer": peer.name}
        label_there = _("we keep at %(peer)s") % {"peer": peer.name}
        rows.append(charts.Row(label=label_here, value=here, limit=cap or None,
                               css="bad" if cap and here > cap else "ok",
                               tooltip=f"{label_here}: {_said(here, cap)}"))
        rows.append(charts.Row(label=label_there, value=there, css="warn" if figures.stale else "ok",
                               tooltip=f"{label_there}: {_said(there, 0)}"
                                       + (" · " + _("stale") if figures.stale else "")))
    if not rows:
        return None
    return Chart(title=_("Peers: what each keeps here and what we keep there"),
                 svg=charts.hbars(rows, title=_("Reciprocity with peers"), axis_label=_("bytes stored"), fmt=size),
                 note=_("The tick is the storage cap agreed for what a peer keeps here."))
