"""Field validators of destinations: every value that ends up in an rclone remote definition is checked here,
at the edge (forms, API, CLI and the Django admin all run the model's validators), so a sync never meets it.

rclone reads a remote from ``RCLONE_CONFIG_DEST_<OPTION>`` variables; a value must not smuggle a second
option (``,``, ``=``, quotes, a ``:`` that starts a new remote) nor a newline, and anything that reaches
rclone's command line must not start with ``-``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from anemone.files.paths import is_within

# \Z, not $: `$` also matches before a trailing newline, and a newline splits an rclone config line.
SAFE_TEXT = RegexValidator(r"^[^\x00-\x1f\x7f:,=\"'\\]*\Z", _("Control characters, ':', ',', '=', quotes and backslashes are not allowed here."))
NO_LEADING_DASH = RegexValidator(r"^(?!-)", _("Must not start with '-'."))
HOSTNAME_PATTERN = r"(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[?[0-9a-fA-F:.]+\]?"
HOSTNAME = RegexValidator(rf"^(?:{HOSTNAME_PATTERN})\Z", _("Enter a host name or an IP address."))
REMOTE_PATH = RegexValidator(r"^[^\x00-\x1f\x7f:,=\"'\\]*\Z", _("Control characters, ':', ',', '=', quotes and backslashes are not allowed in paths."))
BWLIMIT = RegexValidator(r"^\Z|^\d+(\.\d+)?[BKMGT]?\Z", _("A bandwidth such as 500K, 10M or 1G (per second)."))
URL_PATH = re.compile(r"^[^\x00-\x20\x7f,\"'\\]*\Z")


def http_url(value: str) -> None:
    """http(s)://host[:port][/path] — host names without a dot too (a NAS on the LAN: http://nas:9000)."""
    message = _("Enter an address such as https://s3.example.org or http://nas:9000/dav (no spaces, commas or quotes).")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError:
        raise ValidationError(message, code="invalid") from None
    host = parts.hostname or ""
    if (parts.scheme not in ("http", "https") or not re.fullmatch(HOSTNAME_PATTERN, host)
            or not URL_PATH.match(value) or parts.username or port == 0):
        raise ValidationError(message, code="invalid")


def key_inside_data_dir(value: str) -> None:
    """The SSH key file must live in the data dir (``certs/rclone_key`` by default): rclone reads whatever file
    this names, so an admin form must not be a way to point it at the server's own keys elsewhere."""
    if not value:
        return
    if ".." in PurePosixPath(value).parts:
        raise ValidationError(_("'..' is not allowed in the key path."), code="invalid")
    data_dir = Path(settings.DATA_DIR).resolve()
    if not is_within(Path(os.path.realpath(data_dir / value)), data_dir):  # relative: in the data dir, as rclone reads it
        raise ValidationError(_("The SSH key must be inside the data directory (for example certs/rclone_key): "
                                "copy another key into %(dir)s/certs/ first.") % {"dir": data_dir}, code="invalid")


# S3 providers offered (a selection of rclone's `--s3-provider` values; tests check rclone still knows each).
S3_PROVIDERS = [
    ("AWS", "Amazon S3"), ("Ceph", "Ceph"), ("Cloudflare", "Cloudflare R2"),
    ("DigitalOcean", "DigitalOcean Spaces"), ("GCS", "Google Cloud Storage"), ("Hetzner", "Hetzner Object Storage"),
    ("IDrive", "IDrive e2"), ("IONOS", "IONOS Cloud"), ("Minio", "MinIO"), ("OVHcloud", "OVHcloud"),
    ("Scaleway", "Scaleway"), ("SeaweedFS", "SeaweedFS"), ("Synology", "Synology C2"), ("Wasabi", "Wasabi"),
    ("Other", "Other S3-compatible"),
]
