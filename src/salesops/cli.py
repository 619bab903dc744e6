"""The `salesops` command: the project's own commands plus Django's management commands.

salesops run [--host H] [--port P]        web server and worker together
salesops demo --size small --seed 1       generate the demo company
salesops import KIND FILE [--preset P] [--dry-run]
salesops user create USERNAME --role ROLE
salesops backup FILE / salesops restore FILE
salesops migrate, salesops shell, ...      anything Django's manage.py offers
"""

import os
import sys

# Commands whose natural name is a Python keyword or clashes with Django's own.
ALIASES = {"import": "import_file", "run": "serve"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.config.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["salesops", *args])


if __name__ == "__main__":
    main()
