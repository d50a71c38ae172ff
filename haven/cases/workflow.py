"""The case workflow as an explicit state machine (pure Python, no Django models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core.errors import InvalidTransition


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ASSESSMENT = "assessment", _("Assessment")
    CASE_PLAN = "case_plan", _("Case plan")
    IMPLEMENTATION = "implementation", _("Implementation")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


S = Status
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.REGISTERED: (S.ASSESSMENT, S.CLOSED),
    S.ASSESSMENT: (S.CASE_PLAN, S.CLOSED),
    S.CASE_PLAN: (S.IMPLEMENTATION, S.ASSESSMENT, S.CLOSED),
    S.IMPLEMENTATION: (S.FOLLOW_UP, S.CASE_PLAN, S.CLOSED),
    S.FOLLOW_UP: (S.IMPLEMENTATION, S.CLOSED),
    S.CLOSED: (S.REOPENED,),
    S.REOPENED: (S.ASSESSMENT, S.CASE_PLAN, S.IMPLEMENTATION, S.CLOSED),
}
OPEN_STATUSES = tuple(s for s in Status.values if s != S.CLOSED)


def next_statuses(current: str) -> tuple[str, ...]:
    return TRANSITIONS.get(current, ())


def check_transition(current: str, target: str) -> None:
    if target not in Status.values:
        raise InvalidTransition(
            _("'%(target)s' is not a case status.") % {"target": target}, field="to"
        )
    allowed = next_statuses(current)
    if target not in allowed:
        names = ", ".join(str(Status(s).label) for s in allowed) or _("none")
        raise InvalidTransition(
            _(
                "A case in '%(current)s' cannot move to '%(target)s'. "
                "Possible next steps: %(allowed)s."
            )
            % {
                "current": Status(current).label,
                "target": Status(target).label,
                "allowed": names,
            },
            field="to",
        )
