"""Cases moving between agencies: a transfer asked for, and the receiving agency's answer
(accepted, the case takes the new agency's number and owner)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.accounts.models import Agency, Office
from haven.audit.actions import audited, record_event
from haven.cases import numbers
from haven.cases.actions import office_for, require
from haven.cases.models import Case, CaseAssignment, Transfer
from haven.core.errors import HavenError, NotAllowed
from haven.core.versioning import lock_latest, save_versioned


@audited
def request_transfer(user, case: Case, to_agency: Agency, reason: str) -> Transfer:
    require(user, "case.transfer", case)
    if to_agency.pk == case.agency_id or not to_agency.is_active:
        raise ValidationError({"to_agency": _("Choose another, active agency.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is transferred.")})
    if case.is_closed:
        raise HavenError(_("A closed case cannot be transferred; reopen it first."))
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                case=case,
                from_agency_id=case.agency_id,
                to_agency=to_agency,
                reason=reason,
                requested_by=user,
            )
    except IntegrityError as exc:
        raise HavenError(_("A transfer of this case is already waiting for an answer.")) from exc
    record_event(user, "transfer.request", obj=case, details={"to_agency": to_agency.pk})
    return transfer


@audited
def answer_transfer(
    user, transfer: Transfer, *, accept: bool, office: Office | None = None
) -> Transfer:
    """The receiving agency accepts (and takes ownership) or declines a transfer."""
    if not (policy.has_perm(user, "case.transfer") and user.agency_id == transfer.to_agency_id):
        raise NotAllowed(_("Only the receiving agency can answer this transfer."))
    if transfer.state != Transfer.State.PENDING:
        raise HavenError(_("This transfer was already answered."))
    case = transfer.case
    transfer.state = Transfer.State.ACCEPTED if accept else Transfer.State.DECLINED
    transfer.decided_by, transfer.decided_at = user, timezone.now()
    transfer.save()
    if accept:
        lock_latest(case)
        old_number = case.number
        case.agency_id = transfer.to_agency_id
        case.office_id = office_for(user, office)
        case.owner = user
        case.number = numbers.next_number(transfer.to_agency, timezone.localdate().year)
        CaseAssignment.objects.filter(case=case).delete()
        save_versioned(case, case.version, ["agency", "office", "owner", "number"])
        record_event(
            user,
            "transfer.accept",
            obj=case,
            details={"from_agency": transfer.from_agency_id, "previous_number": old_number},
        )
    else:
        record_event(user, "transfer.decline", obj=case, agency_id=transfer.to_agency_id)
    return transfer
