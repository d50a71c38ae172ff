"""The `haven` command: friendly names for Haven's management commands."""

import os
import sys

USAGE = """usage: haven <command> [options]

commands:
  run              migrate, load demo data (with --demo or HAVEN_DEMO=1), serve
  seed --demo      demo agencies, offices, users and ~300 synthetic cases
  seed --cases N   bulk-insert N synthetic cases (benchmarks)
  audit verify     check the audit hash chains and name any tampered event
  create-admin USERNAME   the first system administrator (a new installation)
  token USERNAME   issue an API token (roles that require two-factor: after it is set up)
  rotate-keys      re-encrypt encrypted fields under the first HAVEN_FIELD_KEYS key
  import-locations FILE   import an HXL-tagged location hierarchy
  forms check FILE.xlsx   check an XLSForm and report every problem (stores nothing)
  forms import FILE.xlsx --agency CODE   publish an XLSForm as a new version
  remind [--every SECONDS]   send the referral reminders owed now (or keep doing it)
  escalate [--every SECONDS] escalate overdue feedback and complaints (or keep doing it)
  housekeeping [--every SECONDS]  apply retention rules, delete expired files (or keep doing it)
  manage ...       any Django management command
"""

ALIASES = {
    "run": "haven_run",
    "seed": "seed",
    "audit": "audit",
    "rotate-keys": "rotate_keys",
    "token": "api_token",
    "create-admin": "create_admin",
    "import-locations": "import_locations",
    "forms": "forms",
    "remind": "remind",
    "escalate": "escalate",
    "housekeeping": "housekeeping",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
    from django.core.management import execute_from_command_line

    command, rest = argv[0], argv[1:]
    if command == "manage":
        execute_from_command_line(["haven", *rest])
    elif command in ALIASES:
        execute_from_command_line(["haven", ALIASES[command], *rest])
    else:
        sys.stderr.write(f"haven: unknown command '{command}'\n\n{USAGE}")
        sys.exit(2)


if __name__ == "__main__":
    main()
