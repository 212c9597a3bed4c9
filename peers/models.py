"""Peering: this server's identity and the friends' servers it is paired with."""

from __future__ import annotations

import ipaddress

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

SLUG = RegexValidator(r"^[a-z0-9][a-z0-9-]{0,31}$", _("Lowercase letters, digits and '-' (max 32)."))
ENDPOINT = RegexValidator(r"^$|^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):\d{1,5}$",
                          _("host:port, e.g. alice.duckdns.org:51820"))
IFACE = RegexValidator(r"^[a-z][a-z0-9]{1,14}$", _("2–15 lowercase letters and digits."))


class ServerIdentity(models.Model):
    """Who this server is to its peers (one row). The private WireGuard key is sealed; the SSH key pair
    lives in DATA_DIR/certs/p2p_key and is both our SFTP client key and our endpoint's host key."""

    wg_private_sealed = models.TextField(editable=False)
    wg_public_key = models.CharField(max_length=44, editable=False)
    ssh_public_key = models.TextField(editable=False)
    vpn_address = models.CharField(_("VPN address"), max_length=43, default="10.8.0.1/24")
    listen_port = models.PositiveIntegerField(_("WireGuard port"), default=51820,
                                              validators=[MinValueValidator(1), MaxValueValidator(65535)])
    endpoint = models.CharField(_("public endpoint"), max_length=260, blank=True, validators=[ENDPOINT])
    sftp_port = models.PositiveIntegerField(_("incoming SFTP port"), default=2222,
                                            validators=[MinValueValidator(1), MaxValueValidator(65535)])
    interface = models.CharField(_("WireGuard interface"), max_length=15, default="anemone0", validators=[IFACE])

    class Meta:
        verbose_name = _("server identity")

    def __str__(self) -> str:
        return f"{self.vpn_address} {self.endpoint}"

    @property
    def vpn_ip(self) -> str:
        return str(ipaddress.ip_interface(self.vpn_address).ip)


class Peer(models.Model):
    """A friend's Anemone server: how to reach it (WireGuard) and which key may log in to our endpoint."""

    name = models.CharField(_("name"), max_length=32, unique=True, validators=[SLUG])
    description = models.CharField(_("description"), max_length=200, blank=True)
    endpoint = models.CharField(_("endpoint"), max_length=260, blank=True, validators=[ENDPOINT])
    wg_public_key = models.CharField(_("WireGuard public key"), max_length=44, unique=True)
    allowed_ips = models.CharField(_("allowed IPs"), max_length=200)
    keepalive = models.PositiveIntegerField(_("persistent keepalive (s)"), default=25, validators=[MaxValueValidator(3600)])
    ssh_public_key = models.TextField(_("SSH public key"))
    sftp_port = models.PositiveIntegerField(_("SFTP port"), default=2222,
                                            validators=[MinValueValidator(1), MaxValueValidator(65535)])
    enabled = models.BooleanField(_("enabled"), default=True)
    storage_cap_bytes = models.BigIntegerField(_("storage cap (bytes, 0 = none)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def vpn_ip(self) -> str:
        """The peer's own tunnel address: the first address of its allowed IPs."""
        first = self.allowed_ips.split(",")[0].strip()
        return str(ipaddress.ip_network(first, strict=False).network_address)


def validate_peer(peer: Peer) -> None:
    """Field formats and clashes with our own and other peers' VPN addresses (ValidationError by field)."""
    from django.core.exceptions import ValidationError

    from anemone.engines import ssh, wireguard

    errors: dict[str, object] = {}
    if not wireguard.is_valid_key(peer.wg_public_key):
        errors["wg_public_key"] = _("A WireGuard public key is 44 characters of base64 (32 bytes).")
    try:
        ssh.parse_public_key(peer.ssh_public_key)
    except ssh.InvalidPublicKey as exc:
        errors["ssh_public_key"] = str(exc)
    try:
        networks = [ipaddress.ip_network(part.strip(), strict=False) for part in peer.allowed_ips.split(",") if part.strip()]
        if not networks:
            raise ValueError
    except ValueError:
        errors["allowed_ips"] = _("Allowed IPs must be CIDR addresses such as 10.8.0.2/32, separated by commas.")
        networks = []
    identity = ServerIdentity.objects.first()
    if identity and networks and ipaddress.ip_interface(identity.vpn_address).ip in networks[0]:
        errors["allowed_ips"] = _("This address is our own VPN address (%(ours)s).") % {"ours": identity.vpn_ip}
    for other in Peer.objects.exclude(pk=peer.pk):
        try:
            other_net = ipaddress.ip_network(other.allowed_ips.split(",")[0].strip(), strict=False)
        except ValueError:
            continue
        if networks and networks[0].overlaps(other_net):
            errors["allowed_ips"] = _("This address clashes with peer %(name)s (%(net)s).") % {"name": other.name, "net": other_net}
    if errors:
        raise ValidationError(errors)


Peer.clean = validate_peer  # type: ignore[assignment,method-assign]
