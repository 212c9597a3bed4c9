"""smbd's ``dfree command``: the free space of a share, from the figures ``serve_smb`` keeps.

smbd runs it in the share's folder with ``.`` as its argument and reads "total free block-size" back.
It must answer fast and alone, so it imports nothing of Anemone or Django: ``serve_smb`` writes a copy
behind this Python's path, with the figures file's path in place of the marker below. A share it does not
know gets the disk's own figures.
"""

import json
import os
import sys

FIGURES = "@FIGURES@"
BLOCK = 1024


def main() -> None:
    folder = os.path.realpath(os.path.join(os.getcwd(), sys.argv[1] if len(sys.argv) > 1 else "."))
    try:
        with open(FIGURES) as handle:
            figures = json.load(handle)
    except (OSError, ValueError):
        figures = {}
    known = next((figures[root] for root in sorted(figures, key=len, reverse=True)
                  if folder == root or folder.startswith(root + os.sep)), None)
    if known is None:
        disk = os.statvfs(folder)
        total, free = disk.f_blocks * disk.f_frsize, disk.f_bavail * disk.f_frsize
    else:
        total, free = known
    print(f"{int(total) // BLOCK} {int(free) // BLOCK} {BLOCK}")


if __name__ == "__main__":
    main()
