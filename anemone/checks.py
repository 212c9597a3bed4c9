"""System checks at start-up: the engines on PATH and a writable data dir."""

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Warning, register

from anemone.engines.paths import rclone_binary

REQUIRED_BINARIES = ["restic"]
OPTIONAL_BINARIES = ["wg", "wireguard-go", "ssh-keygen"]


@register()
def engines_installed(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    problems = []
    for name in REQUIRED_BINARIES:
        if shutil.which(name) is None:
            problems.append(Error(f"{name} is not installed.", hint="Run `make run` (it installs it).", id="anemone.E001"))
    if not Path(rclone_binary()).exists():
        problems.append(Error("rclone is not installed in the venv.", hint="Run `make run`.", id="anemone.E002"))
    for name in OPTIONAL_BINARIES:
        if shutil.which(name) is None:
            problems.append(Warning(f"{name} is not installed: peers will not work.", id="anemone.W001"))
    return problems


@register()
def data_dir_writable(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    data_dir = Path(settings.DATA_DIR)
    if not os.access(data_dir, os.W_OK):
        return [Error(f"The data dir {data_dir} is not writable.", id="anemone.E003")]
    return []
