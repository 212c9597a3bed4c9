"""System checks at start-up: the engines on PATH, a writable data dir private to the service account."""

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Warning, register

from anemone.engines import versions
from anemone.engines.paths import rclone_binary, restic_binary

OPTIONAL_BINARIES = ["wg", "wireguard-go", "ssh-keygen"]


@register()
def engines_installed(app_configs, **kwargs):
    problems = []
    if not Path(restic_binary()).exists():
        problems.append(Error("restic is not installed in the venv.", hint="Run `make run` (it installs it).",
                              id="anemone.E001"))
    if not Path(rclone_binary()).exists():
        problems.append(Error("rclone is not installed in the venv.", hint="Run `make run`.", id="anemone.E002"))
    for name in OPTIONAL_BINARIES:
        if shutil.which(name) is None:
            problems.append(Warning(f"{name} is not installed: peers will not work.", id="anemone.W001"))
    return problems


@register()
def engine_versions(app_configs, **kwargs):
    """The engines must be at least the versions the wrappers parse (their JSON and exit codes changed over time)."""
    problems = []
    for name, binary in (("restic", restic_binary()), ("rclone", rclone_binary())):
        if not Path(binary).exists():
            continue  # engines_installed says so
        found = versions.installed(binary)
        needed = versions.MINIMUM[name]
        if found is None:
            problems.append(Error(f"{binary} does not report its version (`{name} version` failed).",
                                  hint="Reinstall it: `make run` installs it.", id="anemone.E005"))
        elif found < needed:
            problems.append(Error(f"{name} {versions.text(found)} is older than {versions.text(needed)}, the oldest "
                                  "Anemone works with.", hint="Upgrade it (`make run` installs a suitable one).",
                                  id="anemone.E006"))
    return problems


@register()
def data_dir_writable(app_configs, **kwargs):
    data_dir = Path(settings.DATA_DIR)
    if not os.access(data_dir, os.W_OK):
        return [Error(f"The data dir {data_dir} is not writable.", id="anemone.E003")]
    return []


def _open_to_others(path: Path) -> int:
    """The permission bits group and others have on path (0 when private or absent)."""
    try:
        return path.stat().st_mode & 0o077
    except FileNotFoundError:
        return 0


def sqlite_files() -> list[Path]:
    database = settings.DATABASES["default"]
    if "sqlite" not in database["ENGINE"]:
        return []
    name = Path(str(database["NAME"]))
    return [name, name.with_name(name.name + "-wal"), name.with_name(name.name + "-shm")]


@register()
def data_dir_private(app_configs, **kwargs):
    """Refuse to start when other accounts on the machine can read the data dir or the database: it holds
    every API token digest, the sealed secrets, the master key and everyone's files (issue #11 item 20)."""
    problems = []
    for path, private in [(Path(settings.DATA_DIR), "700"), *[(f, "600") for f in sqlite_files()]]:
        if _open_to_others(path):
            problems.append(Error(
                f"{path} can be read by other accounts on this machine (mode {path.stat().st_mode & 0o777:o}).",
                hint=f"Run: chmod {private} '{path}' (as the account that runs Anemone).", id="anemone.E004"))
    return problems
