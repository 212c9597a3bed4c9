"""Peering: this server's identity and the friends' servers it is paired with."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from anemone.validators import safe_name_validator

# \Z, not $: a Python "$" also matches before a final newline, so "bob\n" passed the old rules.
SLUG = RegexValidator(r"^[a-z0-9][a-z0-9-]{0,31}\Z", _("Lowercase letters, digits and '-' (max 32)."))
ENDPOINT = RegexValidator(r"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):\d{1,5}\Z",
                          _("host:port, e.g. alice.duckdns.org:51820"))
# A contact's language: its own choice set (blank = the server's default), so the API schema names it once.
CONTACT_LANGUAGES = [("", _("the server's default")), *settings.LANGUAGES]
IFACE = RegexValidator(r"^[a-z][a-z0-9]{1,14}\Z", _("2–15 lowercase letters and digits."))


def validate_endpoint(value: str) -> None:
    """Blank (no public address: the friend's server reaches us) or host:port with a port 1–65535."""
    if not value:
        return
    ENDPOINT(value)
    if not 1 <= int(value.rsplit(":", 1)[1]) <= 65535:
        raise ValidationError(_("The port of an endpoint is between 1 and 65535."), code="port")


def validate_vpn_address(value: str) -> None:
    """Our tunnel address with its network, e.g. 10.8.0.1/24: a host address, IPv4 or IPv6."""
    try:
        interface = ipaddress.ip_interface(value)
    except ValueError:
        raise ValidationError(_("A VPN address is an address with its network size, e.g. 10.8.0.1/24."),
                              code="vpn") from None
    if str(interface) != value.strip() or value != value.strip():
        raise ValidationError(_("A VPN address is an address with its network size, e.g. 10.8.0.1/24."), code="vpn")
    network = interface.network
    if network.num_addresses < 4 or interface.ip in (network.network_address, network.broadcast_address):
        raise ValidationError(_("Pick a host address inside a network of at least 4 addresses (e.g. 10.8.0.1/24)."),
                              code="vpn")


class ServerIdentity(models.Model):
    """Who this server is to its peers (one row). The private WireGuard key is sealed; the SSH key pair
    lives in DATA_DIR/certs/p2p_key and is both our SFTP client key and our endpoint's host key."""

    wg_private_sealed = models.TextField(editable=False)
    wg_public_key = models.CharField(max_length=44, editable=False)
    ssh_public_key = models.TextField(editable=False)
    vpn_address = models.CharField(_("VPN address"), max_length=43, default="10.8.0.1/24", validators=[validate_vpn_address])
    listen_port = models.PositiveIntegerField(_("WireGuard port"), default=51820,
                                              validators=[MinValueValidator(1), MaxValueValidator(65535)])
    endpoint = models.CharField(_("public endpoint"), max_length=260, blank=True, validators=[validate_endpoint])
    sftp_port = models.PositiveIntegerField(_("incoming SFTP port"), default=2222,
                                            validators=[MinValueValidator(1), MaxValueValidator(65535)])
    interface = models.CharField(_("WireGuard interface"), max_length=15, default="anemone0", validators=[IFACE])
    # Put in our invitation code (optional): a friend's server that hosts our backups tells this address when
    # we stop writing to it (peers.watches), in this language.
    contact_email = models.EmailField(_("contact e-mail for friends"), blank=True,
                                      help_text=_("Optional, put in your invitation code: a friend's server that "
                                                  "hosts your backups writes here when they stop arriving."))
    contact_language = models.CharField(_("contact language"), max_length=8, blank=True, choices=CONTACT_LANGUAGES)

    class Meta:
        verbose_name = _("server identity")

    def __str__(self) -> str:
        return f"{self.vpn_address} {self.endpoint}"

    @property
    def vpn_ip(self) -> str:
        return str(ipaddress.ip_interface(self.vpn_address).ip)


class Peer(models.Model):
    """A friend's Anemone server: how to reach it (WireGuard) and which key may log in to our endpoint."""

    name = models.CharField(_("name"), max_length=32, unique=True, validators=[safe_name_validator, SLUG])
    description = models.CharField(_("description"), max_length=200, blank=True)
    endpoint = models.CharField(_("endpoint"), max_length=260, blank=True, validators=[validate_endpoint])
    wg_public_key = models.CharField(_("WireGuard public key"), max_length=44, unique=True)
    allowed_ips = models.CharField(_("allowed IPs"), max_length=200)
    keepalive = models.PositiveIntegerField(_("persistent keepalive (s)"), default=25, validators=[MaxValueValidator(3600)])
    ssh_public_key = models.TextField(_("SSH public key"))
    sftp_port = models.PositiveIntegerField(_("SFTP port"), default=2222,
                                            validators=[MinValueValidator(1), MaxValueValidator(65535)])
    enabled = models.BooleanField(_("enabled"), default=True)
    storage_cap_bytes = models.BigIntegerField(_("storage cap (bytes, 0 = none)"), default=0,
                                               validators=[MinValueValidator(0)])
    folder = models.CharField(_("folder"), max_length=64, blank=True, editable=False,
                              help_text=_("Where it stores its backups here (incoming/<folder>), fixed when paired."))
    health_results = models.JSONField(_("last health checklist"), default=list, blank=True, editable=False)
    health_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True, editable=False)
    # Since when the stored checklist has failed without a break (peers.health.check_now): "unreachable 24 h".
    unreachable_since = models.DateTimeField(_("failing since"), null=True, blank=True, editable=False)
    # Hosting side (peers.hosting): when it last wrote to its folder here and what the folder holds.
    last_write_at = models.DateTimeField(_("last write here"), null=True, blank=True, editable=False)
    stored_bytes = models.BigIntegerField(_("bytes stored here"), default=0, editable=False)
    silent_after_days = models.PositiveIntegerField(
        _("warn when silent for (days)"), default=3, validators=[MaxValueValidator(365)],
        help_text=_("Tell our admins and the peer's contact when it has not backed up to us for this many days "
                    "(0 = never)."))
    contact_email = models.EmailField(_("contact e-mail"), blank=True,
                                      help_text=_("The peer's admin, told when it stops backing up to us (from its "
                                                  "invitation code; editable)."))
    contact_language = models.CharField(_("contact language"), max_length=8, blank=True, choices=CONTACT_LANGUAGES)
    # Sending side: what the host says about our folder there (its status file, read at each backup and check).
    host_status = models.JSONField(_("what the host says"), default=dict, blank=True, editable=False)
    host_status_read_at = models.DateTimeField(_("host status read"), null=True, blank=True, editable=False)
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


class IncomingFolder(models.Model):
    """A folder under DATA_DIR/incoming and the peer identity (its WireGuard and SSH keys) it belongs to.

    It outlives the peer when an admin removes a peer but keeps what it stored: a new peer that takes
    the same name gets a folder of its own and never the removed peer's backups, while the same
    identity paired again finds its backups back."""

    name = models.CharField(max_length=64, unique=True)
    wg_public_key = models.CharField(max_length=44)
    ssh_key_blob = models.TextField(help_text=_("base64 of the SSH public key"))
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


def parse_allowed_ips(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The networks of a comma-separated AllowedIPs value (ValueError on anything else, newlines included)."""
    parts = [part.strip() for part in text.split(",")]
    if not text.strip() or any(not part for part in parts) or any(ch.isspace() and ch != " " for ch in text):
        raise ValueError(text)
    return [ipaddress.ip_network(part, strict=False) for part in parts]


def _key_errors(peer: Peer) -> dict[str, object]:
    from anemone.engines import ssh, wireguard

    errors: dict[str, object] = {}
    if not wireguard.is_valid_key(peer.wg_public_key) or peer.wg_public_key != peer.wg_public_key.strip():
        errors["wg_public_key"] = _("A WireGuard public key is 44 characters of base64 (32 bytes).")
    try:
        blob = ssh.parse_public_key(peer.ssh_public_key)[1]
        if any(ch in peer.ssh_public_key for ch in "\r\n\t\0"):
            raise ssh.InvalidPublicKey(_("An SSH public key is one line."))
    except ssh.InvalidPublicKey as exc:
        errors["ssh_public_key"] = str(exc)
        return errors
    for other in Peer.objects.exclude(pk=peer.pk).only("name", "ssh_public_key"):
        try:
            same = ssh.parse_public_key(other.ssh_public_key)[1] == blob
        except ssh.InvalidPublicKey:
            continue
        if same:  # one key, one peer: else the other peer's logins would land in this peer's folder
            errors["ssh_public_key"] = _("This SSH key already belongs to peer %(name)s: a key belongs to one peer "
                                         "only.") % {"name": other.name}
    return errors


def _address_errors(peer: Peer) -> dict[str, object]:
    errors: dict[str, object] = {}
    try:
        networks = parse_allowed_ips(peer.allowed_ips)
    except ValueError:
        return {"allowed_ips": _("Allowed IPs must be CIDR addresses such as 10.8.0.2/32, separated by commas.")}
    identity = ServerIdentity.objects.first()
    if identity and ipaddress.ip_interface(identity.vpn_address).ip in networks[0]:
        errors["allowed_ips"] = _(
            "%(name)s's server uses the VPN address %(theirs)s, which is our own VPN address. Two servers "
            "cannot share a tunnel address: change ours under Peers → My server (VPN address), or ask your friend "
            "to change theirs, then exchange codes again.") % {"name": peer.name or _("This peer"),
                                                              "theirs": networks[0].network_address}
        return errors
    for other in Peer.objects.exclude(pk=peer.pk).only("name", "allowed_ips"):
        try:
            other_net = parse_allowed_ips(other.allowed_ips)[0]
        except ValueError:
            continue
        if networks[0].overlaps(other_net):
            errors["allowed_ips"] = _(
                "The VPN address %(net)s is already used by peer %(other)s (this address clashes with peer "
                "%(other)s). Each peer needs its own address: ask your friend to pick another one.") % {
                "other": other.name, "net": networks[0]}
    return errors


def validate_peer(peer: Peer) -> None:
    """Field formats, one key per peer, and clashes with our own and other peers' VPN addresses."""
    errors = {**_key_errors(peer), **_address_errors(peer)}
    if errors:
        raise ValidationError(errors)


def validate_identity(identity: ServerIdentity) -> None:
    """Our VPN address must not be one a peer already uses."""
    try:
        ours = ipaddress.ip_interface(identity.vpn_address).ip
    except ValueError:
        return  # the field validator explains it
    for peer in Peer.objects.only("name", "allowed_ips"):
        try:
            if ours in parse_allowed_ips(peer.allowed_ips)[0]:
                raise ValidationError({"vpn_address": _("Peer %(name)s already uses %(ip)s: pick another address.")
                                       % {"name": peer.name, "ip": ours}})
        except ValueError:
            continue


Peer.clean = validate_peer  # type: ignore[assignment,method-assign]
ServerIdentity.clean = validate_identity  # type: ignore[assignment,method-assign]
