"""The `tipline` command: Django's manage.py with the project's settings preset.

Project subcommands: `demo` (seed invented data), `worker` (background pipeline worker),
`audit verify` (check the audit chain), plus every Django command (`migrate`, `createsuperuser`...).
"""

from __future__ import annotations

import os
import sys
from difflib import get_close_matches

# Understood by Django's dispatcher itself, not found among the commands.
_BUILT_IN = {"help", "version"}
USAGE_ERROR = 2  # argparse's status for a bad command line


def main() -> None:
    """Entry point of the console script."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tipline.config.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415  # after env

    name = sys.argv[1] if len(sys.argv) > 1 else ""
    # The settings skip the production-key check for the few commands that use no key.
    os.environ["TIPLINE_CLI_COMMAND"] = name
    commands = _commands(name)
    if commands and name and not name.startswith("-") and name not in _BUILT_IN | commands:
        sys.exit(_unknown(name, commands))
    execute_from_command_line(sys.argv)


def _commands(name: str) -> set[str]:
    """Every command's name. Settings that do not load stop the command with their one message."""
    import django  # noqa: PLC0415  # after env
    from django.core.exceptions import ImproperlyConfigured  # noqa: PLC0415
    from django.core.management import get_commands  # noqa: PLC0415

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        if not name or name.startswith("-") or name in _BUILT_IN:
            return set()  # help and version need no settings
        # The message names the variable to set; a traceback would bury it.
        sys.stderr.write(f"tipline {name}: {exc}\n")
        sys.exit(1)
    return set(get_commands())


def _unknown(name: str, commands: set[str]) -> int:
    # Django answers with status 1 and no list; a script needs a usage error it can tell apart.
    guess = get_close_matches(name, commands, n=1)
    hint = f" Did you mean {guess[0]!r}?" if guess else ""
    sys.stderr.write(f"Unknown command: {name!r}.{hint}\nCommands: {', '.join(sorted(commands))}\n")
    return USAGE_ERROR


if __name__ == "__main__":
    main()
