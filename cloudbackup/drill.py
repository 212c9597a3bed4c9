"""The cloud restore drill ("cloud-drill"): a sample of each person's mirror ({root}/backup/{username}/),
copied back into a scratch folder and checked (anemone.drills). The remote is reached exactly as syncs and
restores reach it (cloudbackup.backends): a crypt destination decrypts on the way, and crypt authenticates
every chunk, so one changed byte of an encrypted file fails its read. A plain remote offers no hash over
SFTP (``shell_type none``): there the bytes are compared with the unchanged source."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from anemone.drills import core
from anemone.drills.kinds import DrillError, DrillKind
from anemone.engines import rclone
from anemone.files.paths import area_root
from anemone.runs.messages import msg
from cloudbackup import backends, sync
from cloudbackup.models import Destination

MTIME_SLACK_NS = 10**9 - 1  # SFTP (protocol 3) and WebDAV keep modification times to the second


def _error(exc: rclone.RcloneError) -> DrillError:
    """The remote's own failure; one that is the same for everybody (unreachable, refused) stops the drill."""
    return DrillError(str(exc), msg("cloudbackup.run_test_connection"), stop=isinstance(exc, sync.FATAL))


class CloudDrill(DrillKind):
    name = "cloud-drill"
    label = _("Cloud restore drill")
    backup_kind = "cloud"
    target_model = Destination

    def newest_copy(self, target: Destination, person: Any) -> core.Copy | None:
        remote = backends.remote(target)
        try:
            entries = rclone.lsjson(remote.path("backup", person.username), remote.env,
                                    config_file=remote.config_file, recursive=True, files_only=True,
                                    extra=backends.name_flags(target), timeout=3600)
        except rclone.RclonePathMissing:
            return None
        except rclone.RcloneError as exc:
            raise _error(exc) from exc
        root = area_root(person, "backup")
        files = [core.CopiedFile(path=e["Path"], size=int(e.get("Size") or 0),
                                 mtime_ns=core.parse_mtime_ns(e.get("ModTime", "")), source=root / e["Path"],
                                 mtime_slack_ns=MTIME_SLACK_NS)
                 for e in entries]
        return core.Copy(ref="mirror", files=files)

    def fetch(self, target: Destination, person: Any, copy: core.Copy, files: list[core.CopiedFile],
              into: Path) -> None:
        """``rclone copy --files-from-raw``: exactly these paths (literal, one per line), nothing else."""
        remote = backends.remote(target)
        with tempfile.NamedTemporaryFile("w", dir=into.parent, prefix=core.SCRATCH_PREFIX, suffix=".list",
                                         encoding="utf-8") as listing:
            listing.write("".join(f"{f.path}\n" for f in files))
            listing.flush()
            result = rclone.run(["copy", remote.path("backup", person.username), str(into), "--files-from-raw",
                                 listing.name, "--transfers", "8", *sync.TUNING[2:], *backends.name_flags(target)],
                                remote.env, config_file=remote.config_file)
        if result.returncode != 0:
            lines = result.errors or result.stderr_tail
            if result.file_errors:  # about files: the copy itself is bad (crypt refused a chunk, a file vanished)
                raise DrillError(rclone.printable(lines[0] if lines else "rclone failed"), damaged=True)
            raise _error(rclone.classify("\n".join(lines)))
