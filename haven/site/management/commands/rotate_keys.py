from django.core.management.base import BaseCommand

from haven.site.keyrotation import rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the first key in HAVEN_FIELD_KEYS and "
        "recompute blind indexes. Put the new key first, run this, then drop the old key."
    )

    def handle(self, **options):
        counts = rotate_all()
        for label, n in counts.items():
            self.stdout.write(f"{label}: {n} rows re-encrypted")
        self.stdout.write("Done. The old key can now be removed from HAVEN_FIELD_KEYS.")
