"""Reads of assessments, always through the access policy of the case they belong to."""

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from haven.accounts import policy
from haven.assessments.models import Assessment, AssessmentDefinition
from haven.cases.models import Approval, Case


def definitions_for(user):
    """The form versions the user's agency may use: Haven's own and the agency's."""
    return AssessmentDefinition.objects.filter(
        Q(agency__isnull=True) | Q(agency_id=user.agency_id)
    ).defer("source")


def current_definitions(user):
    """The latest version of each form, the one new assessments start from."""
    latest = {}
    for definition in definitions_for(user).filter(retired=False).order_by("form_id", "-version"):
        latest.setdefault((definition.agency_id, definition.form_id), definition)
    return sorted(latest.values(), key=lambda d: d.title)


def get_definition(user, pk) -> AssessmentDefinition:
    definition = definitions_for(user).filter(pk=pk).first()
    if definition is None:
        raise Http404
    return definition


def visible_assessments(user, perm: str = "case.view"):
    return Assessment.objects.filter(case__in=Case.objects.filter(policy.case_q(user, perm)))


def get_assessment(user, pk, perm: str = "case.view") -> Assessment:
    assessment = (
        visible_assessments(user, perm)
        .select_related("case", "definition", "scored_with")
        .filter(pk=pk)
        .first()
    )
    if assessment is None:
        raise Http404
    return assessment


def overdue_rounds(user, today=None):
    """Scheduled rounds past their due date, on open cases the user may see."""
    today = today or timezone.localdate()
    return (
        visible_assessments(user)
        .filter(status="draft", due_on__lt=today, case__closed_on__isnull=True)
        .select_related("case", "definition")
        .order_by("due_on")
    )


def sign_off_state(assessment: Assessment) -> Approval | None:
    """The latest sign-off request of the assessment, if its form asks for one."""
    return assessment.approvals.order_by("-requested_at", "-id").first()


def latest_definition(definition: AssessmentDefinition) -> AssessmentDefinition:
    return (
        AssessmentDefinition.objects.filter(
            agency_id=definition.agency_id, form_id=definition.form_id, retired=False
        )
        .order_by("-version")
        .first()
        or definition
    )
