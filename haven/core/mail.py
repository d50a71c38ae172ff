"""Mail to staff: one message each, in the reader's language; a failing server is logged,
never retried and never fatal (what the mail says is always on Haven's own pages too)."""

import logging

from django.core.mail import send_mail

log = logging.getLogger(__name__)


def mail_each(people, compose, about: str) -> None:
    """Send `compose(language)` — (subject, body) — to each person with an address."""
    for person in people:
        if not person.email:
            continue
        subject, body = compose(person.preferred_language)
        try:
            send_mail(subject, body, None, [person.email])
        except OSError:
            log.warning("Could not mail %s", about)
