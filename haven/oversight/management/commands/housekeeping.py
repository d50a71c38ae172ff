"""`haven housekeeping [--every SECONDS]`: what is kept for a fixed time, removed."""

from haven.core.periodic import PeriodicCommand
from haven.evidence import builds
from haven.field import device_files
from haven.oversight import retention


class Command(PeriodicCommand):
    help = (
        "Apply the agencies' approved retention rules, delete expired release and export "
        "files and the files devices sent that no change claimed. Safe to repeat: what was "
        "removed is not removed again. With --every, keep doing it (for deployments without "
        "a broker; with one, the worker's scheduler does it daily)."
    )

    def prepare(self, **options):
        def run():
            rules = retention.apply_all()
            files = builds.remove_expired()
            unclaimed = device_files.remove_unclaimed()
            return (
                f"{rules} retention rule(s) applied; {files} expired file(s) and "
                f"{unclaimed} unclaimed device file(s) removed."
            )

        return run
