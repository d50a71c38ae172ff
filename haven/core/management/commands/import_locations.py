from django.core.management.base import BaseCommand, CommandError

from haven.core.locations import import_hxl


class Command(BaseCommand):
    help = "Import a location hierarchy from an HXL-tagged CSV file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file with #country+code, #adm1+code, #adm1+name, …")

    def handle(self, path, **options):
        try:
            result = import_hxl(path)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        if result.errors:
            raise CommandError("Nothing imported:\n" + "\n".join(result.errors))
        self.stdout.write(f"{result.created} locations created, {result.updated} updated.")
