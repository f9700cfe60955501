"""The `tipline` command: Django's manage.py with the project's settings preset.

Project subcommands: `demo` (seed invented data), `worker` (background pipeline worker),
`audit verify` (check the audit chain), plus every Django command (`migrate`, `createsuperuser`...).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Entry point of the console script."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tipline.config.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415  # after env

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
