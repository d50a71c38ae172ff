"""Tasks computed from a case's due dates and its plan: nothing stored, nothing to go stale."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.cases.models import CasePlan
from haven.cases.workflow import Status


@dataclass(frozen=True)
class Task:
    title: str
    due: date
    overdue: bool


def due_after(start: date, step: str) -> date:
    return start + timedelta(days=settings.HAVEN_DUE_DAYS[step])


def tasks_for(case, today: date | None = None, *, scheduled=None, plan_actions=None) -> list[Task]:
    """The case's open tasks, soonest first. `scheduled` (draft assessments with a due date)
    and `plan_actions` may be given when read for many cases at once."""
    today = today or timezone.localdate()
    tasks = []

    def add(title, due):
        if due:
            tasks.append(Task(str(title), due, due < today))

    if case.status in (Status.REGISTERED, Status.ASSESSMENT, Status.REOPENED):
        add(_("Assessment due"), case.assessment_due)
    if case.status in (Status.REGISTERED, Status.ASSESSMENT, Status.CASE_PLAN):
        add(_("Case plan due"), case.plan_due)
    if case.status == Status.FOLLOW_UP:
        add(_("Follow-up due"), case.follow_up_due)
    if not case.is_closed:
        # Assessment rounds planned ahead and not yet submitted.
        if scheduled is None:
            scheduled = case.assessments.filter(
                status="draft", due_on__isnull=False
            ).select_related("definition")
        for assessment in scheduled:
            add(_("%(form)s due") % {"form": assessment.definition.title}, assessment.due_on)
    if plan_actions is None:
        plan = CasePlan.objects.filter(case=case).first()
        plan_actions = plan.actions.all() if plan is not None else []
    if not case.is_closed:
        for action in plan_actions:
            if not action.done:
                add(action.description, action.due_on)
    return sorted(tasks, key=lambda t: t.due)
