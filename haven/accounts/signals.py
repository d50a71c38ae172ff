"""Logins, logouts and failed logins go into the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from haven.accounts.two_factor import mark_authenticated
from haven.audit.actions import record_event


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        mark_authenticated(request)
    record_event(user, "auth.login", obj=user, agency_id=user.agency_id)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(user, "auth.logout", obj=user, agency_id=user.agency_id)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The username tried is kept; the password never is.
    record_event(None, "auth.login_failed", details={"username": credentials.get("username", "")})
