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


def tasks_for(case, today: date | None = None) -> list[Task]:
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
        for scheduled in case.assessments.filter(
            status="draft", due_on__isnull=False
        ).select_related("definition"):
            add(_("%(form)s due") % {"form": scheduled.definition.title}, scheduled.due_on)
    plan = CasePlan.objects.filter(case=case).first()
    if plan is not None and not case.is_closed:
        for action in plan.actions.all():
            if not action.done:
                add(action.description, action.due_on)
    return sorted(tasks, key=lambda t: t.due)
