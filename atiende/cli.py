"""The `atiende` command: Django's management commands under one name.

atiende migrate            atiende serve --port 8000      atiende worker --queues outbound
atiende token create ana   atiende jobs failed --json     atiende beat
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["atiende", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
