"""What the peers app announces about a peer's lifecycle. Sent explicitly by peers.services (never from
model signals), inside the transaction that makes the change, so a listener's writes commit with it.

Listeners (p2p) receive ``peer=`` and, for ``peer_saved``, ``created=``:
- ``peer_saved``: a peer was added or changed (create what follows a peer: its P2P target, schedule);
- ``peer_disabled``: a peer was switched off (stop what runs towards it: its schedule);
- ``peer_removed``: a peer is about to be deleted (it is still in the database when this is sent).
"""

from django.dispatch import Signal

peer_saved = Signal()
peer_disabled = Signal()
peer_removed = Signal()
