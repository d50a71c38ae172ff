"""Reminder mail about a referral. It names the referral, the service and the due date and
links to Haven: nothing about the person, who is seen only after signing in."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from haven.assistance.sla import OVERDUE
from haven.core.mail import mail_each


def reminder_message(referral, kind: str, language: str) -> tuple[str, str]:
    """Subject and body of one reminder, in the reader's language."""
    with translation.override(language or settings.LANGUAGE_CODE):
        values = {
            "id": referral.pk,
            "service": _(referral.service.name),
            "due": referral.due_on.isoformat(),
        }
        if kind == OVERDUE:
            subject = _("Haven: referral %(id)s is overdue") % values
            first = _("Referral %(id)s for %(service)s was due on %(due)s and is still open.")
        else:
            subject = _("Haven: referral %(id)s is due soon") % values
            first = _("Referral %(id)s for %(service)s is due on %(due)s.")
        link = settings.HAVEN_BASE_URL + reverse("referral_detail", kwargs={"pk": referral.pk})
        body = "\n\n".join(
            [
                first % values,
                _("Open it in Haven: %(link)s") % {"link": link},
                _("This message holds no personal data: sign in to see the referral."),
            ]
        )
    return subject, body


def send_reminder(referral, kind: str, people) -> None:
    """Mail each person with an address (the overdue lists in Haven show the same)."""
    mail_each(
        people,
        lambda language: reminder_message(referral, kind, language),
        f"a reminder about referral {referral.pk}",
    )
