"""Every write to assessments: publish a form version, fill and submit a response, recompute.

A refused submission never loses the answers: they are saved as the draft first, and the
problems are handed back question by question.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.assessments import attachments, selectors
from haven.assessments.models import Assessment, AssessmentDefinition, AssessmentStatus
from haven.audit.actions import audited, record_event
from haven.cases import actions as case_actions
from haven.cases import approval_actions
from haven.cases.models import Approval, Case
from haven.cases.selectors import visible_cases
from haven.core.errors import HavenError, NotAllowed
from haven.core.versioning import lock_at_version, lock_latest, save_versioned
from haven.scoring import choice_files, engine, xform, xlsform, xlsform_reader

SHIPPED_FORMS = Path(__file__).resolve().parent / "forms"
MAX_FORM_BYTES = 5 * 1024 * 1024  # uploads: a form, or an export of responses


class FormRefused(HavenError):
    """An uploaded form with problems; nothing was stored."""

    status_code = 400
    code = "form_refused"

    def __init__(self, problems: list[xlsform.Problem]):
        self.problems = problems
        count = len(problems)
        super().__init__(_("The form was not published: %(n)s problem(s) to fix.") % {"n": count})


@dataclass
class Saved:
    """What a save gives back: the assessment, and why it is still a draft if it is."""

    assessment: Assessment
    problems: list[engine.AnswerProblem]

    @property
    def submitted(self) -> bool:
        return self.assessment.status == AssessmentStatus.SUBMITTED


def media_of(uploads) -> dict[str, bytes]:
    """The CSV files of choices uploaded beside a form, by name (one byte more than a file
    may hold read from each, so that the reader can say it is too large)."""
    return {upload.name: upload.read(choice_files.MAX_BYTES + 1) for upload in uploads}


def read_form(data: bytes, filename: str = "", media=None) -> xlsform.Form:
    """The form in an XLSForm file, or FormRefused with every problem found (`filename`
    names a form whose settings give no form_id; `media`: the CSV files of choices beside
    it, by name)."""
    try:
        return xlsform_reader.load(data, filename, media)
    except xlsform.FormError as exc:
        raise FormRefused(exc.problems) from exc


# --- definitions -----------------------------------------------------------------------


@audited
def publish_definition(
    user, data: bytes, filename: str, *, agency=None, media=None
) -> AssessmentDefinition:
    """Publish an XLSForm as the next version of its form in an agency: the user's own, or
    the one named when the command line publishes (`user` None, acting as the system)."""
    if user is not None:
        if not policy.has_perm(user, "assessment.forms") or user.agency_id is None:
            raise NotAllowed(_("Your role does not allow publishing assessment forms."))
        agency_id = user.agency_id
    else:
        agency_id = agency.pk
    form = read_form(data, filename, media)
    definition = _store(form, data, filename, agency_id=agency_id, user=user, media=media)
    record_event(
        user,
        "assessment_definition.publish",
        obj=definition,
        agency_id=agency_id,
        details={"form_id": definition.form_id, "version": definition.version},
    )
    return definition


def _store(form, data, filename, *, agency_id, user=None, media=None) -> AssessmentDefinition:
    same_form = AssessmentDefinition.objects.filter(agency_id=agency_id, form_id=form.form_id)
    latest = same_form.aggregate(v=Max("version"))["v"] or 0
    try:
        with transaction.atomic():
            return AssessmentDefinition.objects.create(
                agency_id=agency_id,
                form_id=form.form_id,
                version=latest + 1,
                form_version=form.version,
                title=form.title or form.form_id,
                source=data,
                source_name=filename[:250],
                source_sha256=hashlib.sha256(data).hexdigest(),
                form=form.to_dict(),
                xform=xform.xform_of(data, filename),
                # Read already: UTF-8 CSV within bounds.
                media={name: raw.decode("utf-8-sig") for name, raw in (media or {}).items()},
                uploaded_by=user,
            )
    except IntegrityError as exc:
        raise HavenError(
            _("Someone published a version of this form at the same moment: try again.")
        ) from exc


def install_shipped_forms(using: str = "default") -> list[AssessmentDefinition]:
    """Publish each form shipped with Haven unless this very file is already published."""
    installed = []
    for path in sorted(SHIPPED_FORMS.glob("*.xlsx")):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if (
            AssessmentDefinition.objects.using(using)
            .filter(agency__isnull=True, source_sha256=digest)
            .exists()
        ):
            continue
        # Shipped forms are tested: a problem here is a bug.
        form = xlsform_reader.load(data, path.name)
        with transaction.atomic(using=using):
            definition = _store(form, data, path.name, agency_id=None)
            record_event(
                None,
                "assessment_definition.install",
                obj=definition,
                details={"form_id": definition.form_id, "version": definition.version},
            )
        installed.append(definition)
    return installed


# --- responses -------------------------------------------------------------------------


def _require_fill(user, case: Case) -> None:
    if not policy.can_case(user, "assessment.fill", case):
        raise NotAllowed(_("Your role does not allow filling assessments for this case."))


@audited
def start(user, case: Case, definition: AssessmentDefinition) -> Assessment:
    if definition.retired:
        raise HavenError(_("This form version is retired: start the current version."))
    return _begin(user, case, definition)


def _begin(user, case: Case, definition: AssessmentDefinition, instance_id: str = "") -> Assessment:
    """A new response of the case to this form version, announced in the audit trail."""
    _require_fill(user, case)
    if definition.agency_id not in (None, case.agency_id):
        raise NotAllowed(_("This form belongs to another agency."))
    assessment = Assessment.objects.create(
        case=case,
        definition=definition,
        started_by=user,
        instance_id=instance_id,
        answers=definition.parsed().defaults(),
    )
    record_event(
        user,
        "assessment.start",
        obj=assessment,
        agency_id=case.agency_id,
        details={"case": case.pk, "form_id": definition.form_id, "version": definition.version},
    )
    return assessment


@audited
def fill_from_instance(
    user, case: Case, definition: AssessmentDefinition, xml: str, *, submit: bool = True, files=()
) -> Saved:
    """A response an XForm engine filled (the fill page's, the offline app's), as the
    instance document it sends, with the files its answers name (`files`: (name, bytes); one
    refused is a problem of its question). With `submit` it is checked in full and scored;
    answers the server refuses stay as a draft with their problems. A version retired since
    the form was filled keeps the answers as a draft too: nothing filled is lost."""
    _require_fill(user, case)
    answers, instance_id = _read_instance(definition, xml)
    if instance_id:
        known = Assessment.objects.filter(instance_id=instance_id).first()
        if known is not None and known.case_id == case.pk:
            return Saved(known, [])  # the same answers sent again: received once
        if known is not None:
            raise HavenError(_("These answers were already received for another case."))
    assessment = _begin(user, case, definition, instance_id)
    answers = attachments.normalised(definition.parsed(), answers)
    refused = attachments.receive_each(user, assessment, answers, files)
    saved = save(
        user, assessment, answers, assessment.version, submit=submit and not definition.retired
    )
    told = {problem.question for problem in refused}
    saved.problems = refused + [p for p in saved.problems if p.question not in told]
    return saved


def save_instance(
    user, assessment: Assessment, xml: str, version: int, *, submit: bool, files=()
) -> Saved:
    """A draft's answers as the fill page's form engine sends them (an instance document),
    with the files its photo, recording and file answers name (`files`: (name, bytes))."""
    answers, _id = _read_instance(assessment.definition, xml)
    answers = attachments.normalised(assessment.definition.parsed(), answers)
    if files:  # each checked, the user's permission first, as it is received
        attachments.receive_named(user, assessment, answers, files)
    return save(user, assessment, answers, version, submit=submit)


def _read_instance(definition: AssessmentDefinition, xml: str) -> tuple[dict, str]:
    """(answers, instance id), or why the instance cannot be read, in the user's language."""
    try:
        return xform.read_instance(definition.parsed(), definition.form_id, xml)
    except xform.InstanceError as exc:
        message = _(exc.template)
        raise HavenError(message % exc.values if exc.values else message) from exc


MAX_ROUNDS = 12


@audited
def schedule(user, case: Case, definition: AssessmentDefinition, due_dates: list) -> list:
    """Plan rounds of a form ahead (e.g. 3, 6 and 12 months after return): one draft per
    date, each a task of the case until it is submitted."""
    _require_fill(user, case)
    if definition.agency_id not in (None, case.agency_id):
        raise NotAllowed(_("This form belongs to another agency."))
    dates = sorted(set(due_dates))
    if not 1 <= len(dates) <= MAX_ROUNDS:
        raise HavenError(
            _("Schedule from 1 to %(n)s rounds at a time.") % {"n": MAX_ROUNDS}, field="due"
        )
    if dates[0] < timezone.localdate():
        raise HavenError(_("A round cannot be due in the past."), field="due")
    rounds = [
        Assessment.objects.create(
            case=case,
            definition=definition,
            started_by=user,
            due_on=day,
            answers=definition.parsed().defaults(),
        )
        for day in dates
    ]
    record_event(
        user,
        "assessment.schedule",
        obj=case,
        details={"form_id": definition.form_id, "due": [d.isoformat() for d in dates]},
    )
    return rounds


def save(user, assessment: Assessment, answers: dict, version: int, *, submit: bool) -> Saved:
    """Save the answers; with `submit`, also check them in full and score them.

    The answers are kept as the draft in any case: a refused submission loses nothing.
    """
    _save_draft(user, assessment, answers, version)
    if not submit:
        return Saved(assessment, [])
    return _submit(user, assessment)


@audited
def _save_draft(user, assessment: Assessment, answers: dict, version: int) -> None:
    _require_fill(user, assessment.case)
    lock_at_version(assessment, version)
    if assessment.status != AssessmentStatus.DRAFT:
        raise HavenError(_("This assessment was submitted already; its answers are final."))
    if not isinstance(answers, dict):
        raise HavenError(_("Answers are an object of question names and values."))
    assessment.answers = answers
    save_versioned(assessment, version, ["answers"])
    record_event(
        user,
        "assessment.save",
        obj=assessment,
        agency_id=assessment.case.agency_id,
        details={"case": assessment.case_id, "answered": len(answers)},
    )


@audited
def _submit(user, assessment: Assessment) -> Saved:
    lock_at_version(assessment, assessment.version)
    form = assessment.definition.parsed()
    problems = engine.check_answers(
        form, assessment.answers, final=True, language=user_language(user)
    )
    problems += attachments.missing(assessment, form, assessment.answers)
    if problems:
        return Saved(assessment, problems)
    assessment.answers = engine.relevant_answers(form, assessment.answers)
    attachments.discard_unnamed(assessment, form, assessment.answers)
    assessment.scores = _scores(form, assessment.answers)
    assessment.scored_with = assessment.definition
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_by = user
    assessment.submitted_at = timezone.now()
    save_versioned(assessment, assessment.version)
    if form.case_risk_score:
        level = assessment.scores.get(form.case_risk_score, {}).get("band", "")
        case_actions.follow_assessed_risk(user, assessment.case, level, source=assessment)
    if form.requires_sign_off:
        approval_actions.request_approval(
            user, assessment.case, Approval.Kind.ASSESSMENT, assessment=assessment
        )
    record_event(
        user,
        "assessment.submit",
        obj=assessment,
        agency_id=assessment.case.agency_id,
        details={"case": assessment.case_id, "bands": _bands(assessment.scores)},
    )
    return Saved(assessment, [])


@audited
def recompute(user, assessment: Assessment) -> Assessment:
    """Score the stored answers again with the latest version of the same form (e.g. after
    new weights were published). Only on request: new versions never change past scores."""
    _require_fill(user, assessment.case)
    lock_at_version(assessment, assessment.version)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise HavenError(_("Only submitted assessments have scores to recompute."))
    latest = selectors.latest_definition(assessment.definition)
    before = _bands(assessment.scores)
    assessment.scores = _scores(latest.parsed(), assessment.answers)
    assessment.scored_with = latest
    save_versioned(assessment, assessment.version, ["scores", "scored_with"])
    record_event(
        user,
        "assessment.recompute",
        obj=assessment,
        agency_id=assessment.case.agency_id,
        details={
            "with_version": latest.version,
            "before": before,
            "after": _bands(assessment.scores),
        },
    )
    return assessment


def import_counts(user, definition: AssessmentDefinition, parsed) -> dict[str, int]:
    """Before anything is saved: how many rows name a case the user may fill for, and how
    many were imported before (the same instance id)."""
    if not policy.has_perm(user, "assessment.fill"):
        raise NotAllowed(_("Your role does not allow filling assessments."))
    numbers = {row.case_number for row in parsed.rows if row.case_number}
    found = set(
        visible_cases(user, "assessment.fill")
        .filter(number__in=numbers)
        .values_list("number", flat=True)
    )
    ids = {row.instance_id for row in parsed.rows if row.instance_id}
    known = set(
        Assessment.objects.filter(instance_id__in=ids).values_list("instance_id", flat=True)
    )
    return {
        "cases_in_scope": sum(1 for row in parsed.rows if row.case_number in found),
        "already_imported": sum(1 for row in parsed.rows if row.instance_id in known),
    }


def import_responses(user, definition: AssessmentDefinition, parsed) -> list[dict]:
    """Record responses collected elsewhere, each as a submitted assessment of its case:
    checked like a submission, each on its own, so a refused row never stops the others
    and never leaves anything behind. Returns one result per row."""
    if not policy.has_perm(user, "assessment.fill"):
        raise NotAllowed(_("Your role does not allow filling assessments."))
    form = definition.parsed()
    numbers = {row.case_number for row in parsed.rows if row.case_number}
    cases = {
        case.number: case
        for case in visible_cases(user, "assessment.fill").filter(number__in=numbers)
    }
    results = []
    seen = dict(
        Assessment.objects.filter(
            instance_id__in={row.instance_id for row in parsed.rows if row.instance_id}
        ).values_list("instance_id", "pk")
    )
    for row in parsed.rows:
        result = {"row": row.number, "case": row.case_number}
        case = cases.get(row.case_number)
        if row.instance_id and row.instance_id in seen:
            # Imported before (or earlier in this file): nothing new, said per row.
            result.update(status=200, detail=_("Already imported: nothing changed."))
        elif case is None:
            result.update(
                status=404,
                errors={"haven_case": [_("No case with this number in your scope.")]},
            )
        else:
            problems = engine.check_answers(
                form, row.answers, final=True, language=user_language(user)
            )
            if problems:
                errors: dict[str, list[str]] = {}
                for problem in problems:
                    errors.setdefault(problem.question, []).append(problem.message)
                result.update(status=400, errors=errors)
            else:
                try:
                    assessment = _import_one(user, case, definition, row)
                except HavenError as exc:
                    result.update(status=exc.status_code, errors={"detail": [exc.message]})
                else:
                    result.update(status=201, assessment=assessment.pk)
                    if row.instance_id:
                        seen[row.instance_id] = assessment.pk
        results.append(result)
    return results


@audited
def _import_one(user, case, definition, row) -> Assessment:
    assessment = start(user, case, definition)
    if row.instance_id:
        assessment.instance_id = row.instance_id
        assessment.save(update_fields=["instance_id"])
    saved = save(user, assessment, row.answers, assessment.version, submit=True)
    if not saved.submitted:  # checked before; a form changed underneath would land here
        raise HavenError(_("The answers no longer pass the form's checks."))
    if row.submitted_at is not None:
        Assessment.objects.filter(pk=assessment.pk).update(submitted_at=row.submitted_at)
    record_event(
        user,
        "assessment.import",
        obj=assessment,
        agency_id=case.agency_id,
        details={"case": case.pk, "row": row.number},
    )
    return assessment


def decide_sign_off(user, approval: Approval, approve: bool) -> None:
    """Subscribed to `hooks.APPROVAL_DECIDED` (inside `cases.approval_actions.decide`):
    signed off, the assessment stays as submitted; returned, it goes back to its author as a
    draft with its answers, to be changed and submitted again."""
    if approval.kind != Approval.Kind.ASSESSMENT:
        return
    assessment = approval.assessment
    lock_latest(assessment)
    if approve:
        record_event(user, "assessment.sign_off", obj=assessment, agency_id=approval.case.agency_id)
        return
    assessment.status = AssessmentStatus.DRAFT
    assessment.scores, assessment.scored_with = {}, None
    assessment.submitted_by, assessment.submitted_at = None, None
    save_versioned(assessment, assessment.version)
    record_event(user, "assessment.return", obj=assessment, agency_id=approval.case.agency_id)


def _scores(form: xlsform.Form, answers: dict) -> dict:
    return {name: value.to_dict() for name, value in engine.score(form, answers).items()}


def _bands(scores: dict) -> dict:
    return {name: value.get("band", "") for name, value in scores.items()}


def user_language(user) -> str:
    """The language code messages are wanted in: the page's, else the user's."""
    from django.utils import translation

    code = translation.get_language() or getattr(user, "preferred_language", "") or ""
    return code.split("-")[0]
