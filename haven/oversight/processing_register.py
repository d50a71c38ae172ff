"""The agency's register of processing, made from what Haven is configured to do and has
done: purposes and their legal bases (with how many decisions rest on each), categories of
people and of data, recipients (agencies and service points referred to, releases made),
retention, and security measures. Counts only, never a person."""

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.models import Agency
from haven.assistance.models import Referral
from haven.cases.models import Case, Programme, Vulnerability
from haven.evidence.models import Release, ReleaseStatus
from haven.oversight import subject_records
from haven.oversight.models import RetentionRule
from haven.people.models import Consent, ConsentPurpose, LegalBasis

SECURITY_MEASURES = (
    gettext_lazy(
        "Identifying fields (names' original script, contacts, documents, notes, answers,"
        " files) encrypted at rest (Fernet), keys rotated with `haven rotate-keys`"
    ),
    gettext_lazy("Document numbers and contacts matched through keyed digests, never in clear"),
    gettext_lazy(
        "One access policy deciding every read and write by role and scope; sensitive "
        "cases limited to who works them"
    ),
    gettext_lazy(
        "Two-factor authentication required for administrators, data-protection officers "
        "and PSEA focal points; re-authentication before any export that names people"
    ),
    gettext_lazy(
        "Append-only audit trail and access log, hash-chained and anchored outside the "
        "database (`haven audit verify`)"
    ),
    gettext_lazy("Identified exports in AES-256 encrypted archives, deleted after 7 days"),
    gettext_lazy(
        "Offline devices: data encrypted on the device under the user's passphrase, "
        "revocable, wiped remotely"
    ),
    gettext_lazy(
        "De-identified releases k-anonymous with small cells hidden, verified independently"
    ),
)


@dataclass
class Section:
    title: str
    rows: list[tuple[str, str]]


def register(agency: Agency) -> list[Section]:
    cases = Case.objects.filter(agency=agency)
    decisions = dict(
        Consent.objects.filter(person__agency=agency)
        .values_list("purpose")
        .annotate(n=Count("id"))
        .order_by()
    )
    bases = dict(
        Consent.objects.filter(person__agency=agency, given=True)
        .values_list("legal_basis")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_programme = dict(cases.values_list("programme").annotate(n=Count("id")).order_by())
    referred = Referral.objects.filter(case__agency=agency)
    to_agencies = sorted(
        {name for name in referred.values_list("to_agency__name", flat=True) if name}
    )
    to_points = sorted(
        {
            f"{provider} — {point}"
            for provider, point in referred.values_list(
                "to_point__provider__name", "to_point__name"
            )
            if point
        }
    )
    releases = Release.objects.filter(agency=agency, status=ReleaseStatus.DONE)
    rules = RetentionRule.objects.filter(agency=agency, active=True)
    return [
        Section(
            _("Controller"),
            [(_("Agency"), agency.name), (_("Code"), agency.code)],
        ),
        Section(
            _("Purposes and their legal bases"),
            [
                (str(label), _("%(n)s decisions recorded") % {"n": decisions.get(code, 0)})
                for code, label in ConsentPurpose.choices
            ]
            + [
                (
                    _("Legal basis: %(b)s") % {"b": label},
                    _("%(n)s decisions rest on it") % {"n": bases.get(code, 0)},
                )
                for code, label in LegalBasis.choices
            ],
        ),
        Section(
            _("Categories of people"),
            [
                (str(label), _("%(n)s cases") % {"n": by_programme.get(code, 0)})
                for code, label in Programme.choices
            ]
            + [
                (
                    _("Vulnerabilities recorded"),
                    ", ".join(str(v) for _c, v in Vulnerability.choices),
                )
            ],
        ),
        Section(
            _("Categories of data"),
            [(str(source.title), source.label) for source in subject_records.SOURCES],
        ),
        Section(
            _("Recipients"),
            [(_("Agencies referred to"), name) for name in to_agencies]
            + [(_("Service points referred to"), name) for name in to_points]
            + [
                (
                    _("Releases and exports made"),
                    _("%(n)s (%(kinds)s)")
                    % {
                        "n": releases.count(),
                        "kinds": ", ".join(
                            sorted({str(r.get_kind_display()) for r in releases}) or ["—"]
                        ),
                    },
                )
            ],
        ),
        Section(
            _("Retention"),
            [
                (
                    str(rule.get_kind_display()),
                    _("after %(days)s days, %(programme)s, %(state)s")
                    % {
                        "days": rule.after_days,
                        "programme": rule.programme or _("every programme"),
                        "state": _("applied daily") if rule.approved_at else _("not approved"),
                    },
                )
                for rule in rules
            ]
            + [
                (_("Identified export archives"), _("deleted after 7 days")),
                (_("Files sent by devices, unclaimed"), _("deleted after 7 days")),
            ],
        ),
        Section(_("Security measures"), [("", str(measure)) for measure in SECURITY_MEASURES]),
    ]
