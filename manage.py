#!/usr/bin/env python
"""Django's command-line utility for Anemone."""
import os
import sys


def main() -> None:
    # Everything the product writes (database, keys, areas, repositories) is for the service account only,
    # whatever umask the shell or the service manager gave us (issue #11 item 20).
    os.umask(0o077)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anemone.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
