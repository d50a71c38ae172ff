"""The demo data `make run` loads: every part of Haven has something to show."""

import pytest

from haven.accounts import policy
from haven.accounts.models import User
from haven.assistance.models import Referral, ReferralReminder, ReintegrationPlan, ReturnMovement
from haven.cases.models import Case
from haven.site import demo


@pytest.mark.slow
def test_the_demo_loads_through_the_actions(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # jobs run after each commit
        demo.seed_demo(count=120)
    assert set(demo.USERS) <= set(User.objects.values_list("username", flat=True))
    assert Case.objects.count() == 120
    assert Referral.objects.filter(status="pending").exists()
    assert Referral.objects.filter(status="completed").exists()
    assert ReturnMovement.objects.filter(steps__done=True).exists()
    assert ReintegrationPlan.objects.filter(components__isnull=False).exists()
    # A tracing request that found the parent registered in another script.
    from haven.tracing.models import PotentialMatch, TracingRequest

    assert TracingRequest.objects.count() == 1
    assert PotentialMatch.objects.filter(probability__gte=0.5).exists()
    # Overdue demo referrals are there to be reminded of.
    from haven.assistance import actions

    actions.send_reminders()
    assert ReferralReminder.objects.filter(kind="overdue").exists()
    # Feedback in every state, an allegation kept from the staff member it names.
    from haven.feedback.models import Incident, Submission

    assert {"received", "acknowledged", "resolved"} <= set(
        Submission.objects.values_list("status", flat=True)
    )
    assert Submission.objects.filter(satisfaction__isnull=False).exists()
    assert Submission.objects.filter(escalation_level__gt=0).exists()
    named = Submission.objects.get(subject__username="caseworker.a2")
    assert not policy.can_see_submission(named.subject, named)
    assert policy.can_see_submission(User.objects.get(username="psea.a"), named)
    assert Incident.objects.count() == 24
