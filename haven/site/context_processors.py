from django.conf import settings
from django.utils.translation import get_language_bidi

from haven.accounts import policy
from haven.feedback import selectors as feedback_selectors


def haven(request):
    user = getattr(request, "user", None)
    nav = {}
    if user is not None and user.is_authenticated:
        nav = {
            perm: policy.has_perm(user, perm)
            for perm in (
                "case.view",
                "case.create",
                "tracing.manage",
                "person.merge",
                "person.deduplicate",
                "referral.create",
                "referral.receive",
                "audit.view",
                "subject.access",
                "retention.manage",
                "report.view",
                "release.create",
                "case.export",
                "agency.manage",
                "feedback.record",
                "feedback.handle",
                "feedback.misconduct",
                "feedback.oversee",
                "incident.record",
                "field.offline",
                "field.devices",
            )
        }
        nav["feedback"] = any(nav[perm] for perm in feedback_selectors.HANDLING)
    return {
        "text_direction": "rtl" if get_language_bidi() else "ltr",
        "haven_demo": settings.HAVEN_DEMO,
        "nav": nav,
    }
