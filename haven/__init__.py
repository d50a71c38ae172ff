"""Haven: case management and evidence for the protection of migrants."""

from haven.celery import app as celery_app

__all__ = ["celery_app"]
