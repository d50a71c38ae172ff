"""Mail to focal points about submissions: a number and a link, nothing of what was said
and nothing about who said it, in the reader's language."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


def message(submission, kind: str, language: str) -> tuple[str, str]:
    with translation.override(language or settings.LANGUAGE_CODE):
        values = {"id": submission.pk, "level": submission.escalation_level}
        if kind == "overdue":
            subject = _("Haven: submission %(id)s is overdue (escalation level %(level)s)")
        else:
            subject = _("Haven: a new submission (%(id)s) is waiting")
        link = settings.HAVEN_BASE_URL + reverse("feedback_detail", kwargs={"pk": submission.pk})
        body = "\n\n".join(
            [
                subject % values,
                _("Open it in Haven: %(link)s") % {"link": link},
                _("This message holds no personal data: sign in to see the submission."),
            ]
        )
    return subject % values, body


def _send(submission, kind: str, people) -> None:
    for person in people:
        if not person.email:
            continue
        subject, body = message(submission, kind, person.preferred_language)
        try:
            send_mail(subject, body, None, [person.email])
        except OSError:
            # The inbox and the overdue marks in Haven show the same; nothing is lost.
            log.warning("Could not mail about submission %s", submission.pk)


def notify_new(submission, people) -> None:
    _send(submission, "new", people)


def notify_overdue(submission, people) -> None:
    _send(submission, "overdue", people)
