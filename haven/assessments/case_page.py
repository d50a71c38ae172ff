"""What assessments add to the case page (its Assessments tab) and to the dashboard."""

from haven.accounts import policy
from haven.assessments import selectors
from haven.assessments.charts import charts_for

OVERDUE_SHOWN = 10


def assessments_tab(user, case) -> dict:
    assessments = list(
        case.assessments.select_related("definition").order_by("definition__form_id", "created_at")
    )
    return {
        "assessments": assessments,
        "charts": charts_for(assessments),
        "startable": selectors.current_definitions(user)
        if policy.can_case(user, "assessment.fill", case)
        else [],
    }


def overdue_on_dashboard(user) -> dict:
    overdue = selectors.overdue_rounds(user)
    shown = list(overdue[: OVERDUE_SHOWN + 1])
    return {
        "overdue_rounds": shown[:OVERDUE_SHOWN],
        # Counted only when there are more than the list shows.
        "overdue_rounds_count": len(shown) if len(shown) <= OVERDUE_SHOWN else overdue.count(),
    }
