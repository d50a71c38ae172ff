"""Mail to focal points about submissions: a number and a link, nothing of what was said
and nothing about who said it, in the reader's language."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from haven.core.mail import mail_each


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


def notify_new(submission, people) -> None:
    mail_each(
        people,
        lambda language: message(submission, "new", language),
        f"about submission {submission.pk}",
    )


def notify_overdue(submission, people) -> None:
    mail_each(
        people,
        lambda language: message(submission, "overdue", language),
        f"about submission {submission.pk}",
    )
