"""`manage.py wireguard up|down|status` — apply or remove our tunnel; status per peer."""

from django.core.management.base import BaseCommand, CommandError

from anemone.engines import wireguard as wg
from peers import tunnel
from peers.models import Peer


class Command(BaseCommand):
    help = "Bring our WireGuard tunnel up or down, or show its status."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["up", "down", "status"])

    def handle(self, *args, **options) -> None:
        try:
            if options["action"] == "up":
                self.stdout.write(f"tunnel up ({tunnel.up()}), config {tunnel.config_path()}")
            elif options["action"] == "down":
                tunnel.down()
                self.stdout.write("tunnel down")
            else:
                self.status()
        except wg.NoPermission as exc:
            commands = "\n  ".join(wg.admin_commands(tunnel.config_path().stem, str(tunnel.write_config())))
            raise CommandError(f"{exc} An admin can run:\n  {commands}") from exc
        except wg.WireGuardError as exc:
            raise CommandError(str(exc)) from exc

    def status(self) -> None:
        status = tunnel.status()
        for peer in Peer.objects.all():
            state = status.get(peer.wg_public_key)
            if state is None:
                self.stdout.write(f"{peer.name}: not in the tunnel{'' if peer.enabled else ' (disabled)'}")
            else:
                handshake = state.latest_handshake.isoformat() if state.latest_handshake else "never"
                self.stdout.write(f"{peer.name}: handshake {handshake}, endpoint {state.endpoint or '-'}, "
                                  f"received {state.rx_bytes} B, sent {state.tx_bytes} B")
