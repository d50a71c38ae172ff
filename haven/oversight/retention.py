"""Retention schedules: each agency says how long it keeps a kind of record, and a daily job
removes what is past it.

- `persons`: a person whose cases (of the rule's programme, or any) are all closed, the
  last one at least `after_days` ago, is anonymised (erasure.py) — never one under a legal
  hold, with an open case or an open referral (they are counted as kept, with the reason).
- `feedback_contacts`: the contact details left with feedback or a complaint are deleted
  `after_days` after it was resolved (or closed).

A rule applies only once an officer has seen its dry run and approved it; every run, dry or
real, is kept with its counts (never names) and audited. Running again removes nothing
more: what was removed is no longer a candidate.
"""

from collections import Counter
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.cases.models import Case
from haven.cases.workflow import Status
from haven.feedback.models import Submission
from haven.oversight import erasure
from haven.oversight.models import Erasure, RetentionKind, RetentionRule, RetentionRun
from haven.people.models import Person

MIN_DAYS = 30  # a rule shorter than this would remove what work still needs


def check(rule: RetentionRule) -> None:
    """Refuse a rule that would remove what must stay, or that overlaps another."""
    if rule.after_days < MIN_DAYS:
        raise ValidationError(
            {
                "after_days": _(
                    "At least %(n)s days: a shorter rule would remove records still in use "
                    "(cases just closed, complaints just answered)."
                )
                % {"n": MIN_DAYS}
            }
        )
    overlapping = RetentionRule.objects.filter(
        agency_id=rule.agency_id, kind=rule.kind, active=True
    ).exclude(pk=rule.pk)
    if rule.programme:
        overlapping = overlapping.filter(programme__in=["", rule.programme])
    other = overlapping.first()
    if other is not None:
        raise ValidationError(
            _(
                "This rule overlaps rule %(n)s (%(what)s, %(days)s days): change that one, or "
                "make it inactive first."
            )
            % {"n": other.pk, "what": other.get_kind_display(), "days": other.after_days}
        )


def _cutoff(rule: RetentionRule, today=None):
    return (today or timezone.localdate()) - timedelta(days=rule.after_days)


def persons_due(rule: RetentionRule, today=None) -> QuerySet:
    """Persons of the agency, not yet erased, whose cases are all closed, the last one
    closed on or before the rule's cutoff."""
    cases = Case.objects.filter(agency_id=rule.agency_id)
    if rule.programme:
        cases = cases.filter(programme=rule.programme)
    open_ids = Case.objects.exclude(status=Status.CLOSED).values("person_id")
    last_closed = (
        cases.filter(status=Status.CLOSED)
        .values("person_id")
        .annotate(last=Max("closed_on"))
        .filter(last__lte=_cutoff(rule, today))
        .values("person_id")
    )
    return Person.objects.filter(pk__in=last_closed, merged_into__isnull=True).exclude(
        Q(pk__in=open_ids) | Q(pk__in=Erasure.objects.values("person_id"))
    )


def feedback_due(rule: RetentionRule, today=None) -> QuerySet:
    cutoff = _cutoff(rule, today)
    answered = Q(resolved_at__date__lte=cutoff) | Q(
        resolved_at__isnull=True, closed_at__date__lte=cutoff
    )
    submissions = Submission.objects.filter(answered, agency_id=rule.agency_id)
    if rule.programme:
        submissions = submissions.filter(case__programme=rule.programme)
    return submissions.exclude(contact="", contact_name="")


def run(rule: RetentionRule, *, dry_run: bool, user=None, today=None) -> RetentionRun:
    """Apply the rule (or count what it would do). A real run of a rule nobody approved is
    refused."""
    if not dry_run and rule.approved_at is None:
        raise ValidationError(_("An officer must approve this rule's first run after its dry run."))
    counts: Counter = Counter()
    if rule.kind == RetentionKind.PERSONS:
        for person in persons_due(rule, today):
            if erasure.refusals(person):
                counts["kept: a hold, an open case or an open referral"] += 1
            elif dry_run:
                counts["to anonymise"] += 1
            else:
                erasure.erase(user, person, _("Retention rule %(n)s") % {"n": rule.pk})
                counts["anonymised"] += 1
    else:
        due = feedback_due(rule, today)
        if dry_run:
            counts["contact details to delete"] = due.count()
        else:
            counts["contact details deleted"] = due.update(contact="", contact_name="")
    done = RetentionRun.objects.create(rule=rule, dry_run=dry_run, counts=counts, ran_by=user)
    record_event(
        user,
        "retention.dry_run" if dry_run else "retention.apply",
        obj=rule,
        agency_id=rule.agency_id,
        details={"rule": rule.pk, "counts": dict(counts)},
    )
    return done


def apply_all(today=None) -> int:
    """The daily job: every active, approved rule applied. Returns how many rules ran."""
    rules = RetentionRule.objects.filter(active=True, approved_at__isnull=False)
    for rule in rules:
        run(rule, dry_run=False, today=today)
    return rules.count()


# The rules Haven suggests (docs/data-protection.md): (kind, days).
SUGGESTED = ((RetentionKind.PERSONS, 5 * 365), (RetentionKind.FEEDBACK_CONTACTS, 365))
