"""Background jobs on a real broker: a Celery worker, started as `haven run` starts it,
takes the reminder job from Redis and writes to the same database as the web."""

import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from haven.assistance.models import Referral, ReferralReminder, ServiceType
from haven.assistance.taxonomy import install
from tests.test_assistance import consented_referral

BROKER = os.environ.get("HAVEN_TEST_BROKER_URL", "redis://127.0.0.1:6379/14")


def _database_url() -> str:
    """The test database (not the configured one) as a URL for the worker."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.slow
def test_a_worker_on_redis_sends_the_reminders(transactional_db, world, register):
    try:
        redis.Redis.from_url(BROKER).ping()
    except redis.ConnectionError:
        pytest.fail(f"No broker at {BROKER}: start Redis or set HAVEN_TEST_BROKER_URL.")
    install(ServiceType)  # a transactional database is emptied between tests
    _case, referral = consented_referral(world, register)
    Referral.objects.filter(pk=referral.pk).update(due_on=date.today() - timedelta(days=2))

    queue = f"haven-test-{os.getpid()}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "HAVEN_BROKER_URL": BROKER,
        "HAVEN_VAR_DIR": str(settings.VAR_DIR),
    }
    celery = Path(sys.executable).parent / "celery"
    worker = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [str(celery), "-A", "haven", "worker", "--pool", "solo", "-Q", queue, "-l", "warning"],
        env=env,
        cwd=str(settings.BASE_DIR),
    )
    try:
        Celery(broker=BROKER).send_task(
            "haven.assistance.tasks.send_referral_reminders", queue=queue
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not ReferralReminder.objects.exists():
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    reminder = ReferralReminder.objects.get()
    assert (reminder.referral_id, reminder.kind) == (referral.pk, "overdue")
