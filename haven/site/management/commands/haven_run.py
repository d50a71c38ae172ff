"""`haven run`: migrate, load demo data on the embedded default, serve, and say where."""

import os
import shutil
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from haven.site import demo

# The access log names the path, never the query string or the referring page: searches
# travel in query strings (?q=a person's name), and a referrer repeats the page before.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'


def gunicorn_arguments(
    host: str, port: int, workers: int, threads: int, *, access_log: bool = True
) -> list[str]:
    """How Haven is served: worker processes, each with threads that overlap database waits,
    and an access log without personal data (benchmarks leave it out)."""
    logged = ["--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT]
    return [
        "haven.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        *(logged if access_log else []),
    ]


class Command(BaseCommand):
    help = "Migrate, load demo data when asked (or on an empty embedded database), and serve Haven."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HAVEN_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("HAVEN_PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("HAVEN_WEB_WORKERS", "2"))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("HAVEN_WEB_THREADS", "4"))
        )
        parser.add_argument("--demo", action="store_true", help="Load demo data if there is none")
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare only; do not start servers"
        )

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self._demo(options["demo"])
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(self.style.SUCCESS(f"\nHaven is at {url}"))
        self._print_accounts()
        if options["no_serve"]:
            return
        self._serve(options)

    def _demo(self, asked: bool) -> None:
        """Demo data when asked (--demo), or with HAVEN_DEMO on a database that has no user
        yet (the embedded one or PostgreSQL): never mixed into an installation in use."""
        from haven.accounts.models import User

        if asked:
            self.stdout.write("Loading demo data (first run takes a minute)…")
            demo.seed_demo()
            return
        has_users = User.objects.exists()
        if settings.HAVEN_DEMO and not has_users:
            self.stdout.write("Loading demo data on the empty database (takes a minute)…")
            demo.seed_demo()
        elif settings.HAVEN_DEMO and not User.objects.filter(username__in=demo.USERS).exists():
            self.stdout.write(
                self.style.WARNING(
                    "HAVEN_DEMO is set but this database already has users: demo data is "
                    "loaded only on an empty database (or with --demo)."
                )
            )
        elif not has_users:
            self.stdout.write(
                self.style.WARNING(
                    "Haven has no user yet: create the first administrator with "
                    "`haven create-admin USERNAME`, or set HAVEN_DEMO=1 for demo data."
                )
            )

    def _print_accounts(self):
        from haven.accounts.models import User

        present = set(
            User.objects.filter(username__in=demo.USERS).values_list("username", flat=True)
        )
        if not present:
            return
        self.stdout.write(f"Demo accounts (password: {demo.DEMO_PASSWORD}):")
        for username, (_first, _last, agency, _office, role, scope) in demo.USERS.items():
            if username in present:
                where = demo.AGENCIES[agency][0] if agency else "all agencies"
                self.stdout.write(f"  {username:<15} {role} ({scope}) — {where}")

    def _serve(self, options):
        children = []
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
        children.append(
            subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
                [
                    gunicorn,
                    *gunicorn_arguments(
                        options["host"], options["port"], options["workers"], options["threads"]
                    ),
                ]
            )
        )
        if settings.HAVEN_BROKER_URL:
            celery = shutil.which("celery", path=os.path.dirname(sys.executable)) or "celery"
            # --beat: the worker also runs the periodic jobs (settings.CELERY_BEAT_SCHEDULE).
            schedule = str(settings.VAR_DIR / "celerybeat-schedule")
            children.append(
                subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
                    [celery, "-A", "haven", "worker", "--beat", "--schedule", schedule]
                    + ["--concurrency", "2", "-l", "warning"]
                )
            )
        else:
            self.stdout.write("Background jobs run in-process (set HAVEN_BROKER_URL for a worker).")
            # Without a broker, periodic jobs run from a small loop of their own.
            every = str(settings.HAVEN_REMINDER_INTERVAL_SECONDS)
            for job in (["remind"], ["escalate"], ["audit", "anchor"], ["housekeeping"]):
                children.append(
                    subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
                        [sys.executable, "-m", "haven.cli", *job, "--every", every]
                    )
                )

        def stop(*_):
            for child in children:
                child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        for child in children:
            child.wait()
