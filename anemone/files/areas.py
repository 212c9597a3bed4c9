"""Creating a user's areas on disk: shares/<username>/{backup,data,.trash} (0700)."""

from __future__ import annotations

import os

from anemone.files.paths import AREAS, trash_root, user_root


def create_areas(user) -> None:
    root = user_root(user.username)
    root.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    for path in [root, *(root / a for a in AREAS), trash_root(user)]:
        path.mkdir(exist_ok=True, mode=0o700)
        os.chmod(path, 0o700)
