"""Feedback left with an agency, as the tests of what Haven holds about a person need it."""

from datetime import datetime

from django.utils import timezone

from haven.feedback.models import Submission


def feedback(agency, *, at: datetime | None = None, **fields) -> Submission:
    """A submission received (and due) at `at`, now by default; `fields` as the model's."""
    at = at or timezone.now()
    values = {"category": "feedback", "channel": "hotline", "text": "The queue was too long"}
    return Submission.objects.create(
        agency=agency,
        received_at=at,
        acknowledge_due_at=at,
        resolve_due_at=at,
        **{**values, **fields},
    )
