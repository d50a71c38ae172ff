"""Retention schedules: each agency says how long it keeps a kind of record, and a daily job
removes what is past it.

- `persons`: a person whose cases (of the rule's programme, or any) are all closed, the
  last one at least `after_days` ago, is anonymised (erasure.py) — never one under a legal
  hold, with an open case or an open referral (they are counted as kept, with the reason).
- `feedback_contacts`: the contact details left with feedback or a complaint are deleted
  `after_days` after it was resolved (or closed).
- `identified_exports`: the files of exports that name people, `after_days` after they were
  made (Haven deletes them after 7 days in any case: a rule can only make it sooner).
- `device_files`: files devices sent that no change claimed (7 days in any case, or sooner).

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
from haven.core.errors import HavenError
from haven.evidence import builds
from haven.evidence.models import Release, ReleaseStatus
from haven.feedback.models import Submission
from haven.field.models import DeviceFile
from haven.oversight import erasure
from haven.oversight.models import Erasure, RetentionKind, RetentionRule, RetentionRun
from haven.people.models import Person

# Shorter rules would remove what work still needs: cases just closed, complaints just
# answered. Files kept only to be picked up may go after a day.
MIN_DAYS = {RetentionKind.PERSONS: 30, RetentionKind.FEEDBACK_CONTACTS: 30}
BY_PROGRAMME = {RetentionKind.PERSONS, RetentionKind.FEEDBACK_CONTACTS}


def check(rule: RetentionRule) -> None:
    """Refuse a rule that would remove what must stay, or that overlaps another."""
    least = MIN_DAYS.get(rule.kind, 1)
    if rule.after_days < least:
        raise ValidationError(
            {
                "after_days": _(
                    "At least %(n)s days: a shorter rule would remove records still in use "
                    "(cases just closed, complaints just answered)."
                )
                % {"n": least}
            }
        )
    if rule.programme and rule.kind not in BY_PROGRAMME:
        raise ValidationError(
            {"programme": _("This kind of record belongs to no programme: leave it empty.")}
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


def _apply_persons(rule, dry_run: bool, user, today) -> Counter:
    counts: Counter = Counter()
    for person in persons_due(rule, today):
        if dry_run:
            kept = bool(erasure.refusals(person))
        else:
            try:  # erase checks the holds, open cases and referrals itself
                erasure.erase(user, person, _("Retention rule %(n)s") % {"n": rule.pk})
                kept = False
            except HavenError:
                kept = True
        if kept:
            counts["kept: a hold, an open case or an open referral"] += 1
        else:
            counts["to anonymise" if dry_run else "anonymised"] += 1
    return counts


def _apply_feedback(rule, dry_run: bool, user, today) -> Counter:
    due = feedback_due(rule, today)
    if dry_run:
        return Counter({"contact details to delete": due.count()})
    return Counter({"contact details deleted": due.update(contact="", contact_name="")})


def _apply_exports(rule, dry_run: bool, user, today) -> Counter:
    """Identified export archives of the agency older than the rule: their files deleted
    (the register keeps the record)."""
    due = [
        release
        for release in Release.objects.filter(
            agency_id=rule.agency_id,
            kind__in=Release.IDENTIFIED_KINDS,
            status=ReleaseStatus.DONE,
            finished_at__date__lte=_cutoff(rule, today),
        )
        if (builds.folder() / release.file_name).exists()
    ]
    if not dry_run:
        for release in due:
            (builds.folder() / release.file_name).unlink(missing_ok=True)
    return Counter({"archives to delete" if dry_run else "archives deleted": len(due)})


def _apply_device_files(rule, dry_run: bool, user, today) -> Counter:
    """Files the agency's devices sent that no change claimed, older than the rule."""
    due = DeviceFile.objects.filter(
        device__user__agency_id=rule.agency_id, received_at__date__lte=_cutoff(rule, today)
    )
    if dry_run:
        return Counter({"device files to delete": due.count()})
    return Counter({"device files deleted": due.delete()[0]})


APPLY = {
    RetentionKind.PERSONS: _apply_persons,
    RetentionKind.FEEDBACK_CONTACTS: _apply_feedback,
    RetentionKind.IDENTIFIED_EXPORTS: _apply_exports,
    RetentionKind.DEVICE_FILES: _apply_device_files,
}


def run(rule: RetentionRule, *, dry_run: bool, user=None, today=None) -> RetentionRun:
    """Apply the rule (or count what it would do). A real run of a rule nobody approved is
    refused."""
    if not dry_run and rule.approved_at is None:
        raise ValidationError(_("An officer must approve this rule's first run after its dry run."))
    counts = APPLY[rule.kind](rule, dry_run, user, today)
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
