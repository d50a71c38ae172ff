from django import forms
from django.utils.translation import gettext_lazy as _

from haven.cases.models import Programme
from haven.cases.workflow import Status
from haven.core.archives import password_field
from haven.evidence.datasets import FIELDS, SENSITIVE
from haven.evidence.exports import CASE_COLUMNS
from haven.evidence.models import FileFormat, ReleaseKind


def _kind_field(label: str, kinds: list[ReleaseKind], help_text: str) -> forms.ChoiceField:
    """The kind of file asked for, the first one chosen to begin with."""
    return forms.ChoiceField(
        label=label,
        choices=[(kind, kind.label) for kind in kinds],
        initial=kinds[0],
        widget=forms.RadioSelect,
        help_text=help_text,
    )


def _purpose_field(help_text: str) -> forms.CharField:
    """Why the file is made and for whom: kept in the register of releases and exports."""
    return forms.CharField(label=_("Purpose"), max_length=500, help_text=help_text)


class ReleaseForm(forms.Form):
    kind = _kind_field(
        _("Kind of release"),
        [ReleaseKind.DEIDENTIFIED, ReleaseKind.CTDC],
        _(
            "CTDC style: counter-trafficking cases only, with age band, sex, citizenship, "
            "year and yes/no flags for each type of exploitation and means of control; "
            "the fields below are then not used."
        ),
    )
    purpose = _purpose_field(_("Who receives it and why, e.g. 'Quarterly report to the donor'."))
    fields = forms.MultipleChoiceField(
        label=_("Fields (quasi-identifiers)"),
        choices=list(FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only what the purpose needs: each field added makes people easier to find."),
    )
    k = forms.IntegerField(
        label=_("k (the fewest people who share any released combination)"),
        min_value=2,
        max_value=1000,
        initial=11,
        help_text=_("CTDC publishes with k = 11."),
    )
    suppression = forms.IntegerField(
        label=_("Records that may be left out (%)"),
        min_value=0,
        max_value=100,
        initial=5,
    )
    sensitive = forms.ChoiceField(
        label=_("Sensitive attribute protected by ℓ-diversity (optional)"),
        choices=[("", _("None")), *SENSITIVE.items()],
        required=False,
        help_text=_("Released as it is; every group of people then shows at least ℓ values."),
    )
    l_diversity = forms.IntegerField(label=_("ℓ"), min_value=2, max_value=20, required=False)


class ExportForm(forms.Form):
    kind = _kind_field(
        _("Kind of export"),
        [ReleaseKind.CASE_LIST, ReleaseKind.HTCDS],
        _(
            "HTCDS: the counter-trafficking cases you can see, with every field of IOM's "
            "Human Trafficking Case Data Standard that Haven records; the fields below are "
            "then not used."
        ),
    )
    purpose = _purpose_field(_("Who receives it and why, e.g. 'Case review with the shelter'."))
    fields = forms.MultipleChoiceField(
        label=_("Fields"),
        choices=[(name, column.label) for name, column in CASE_COLUMNS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=["number", "status", "programme", "registered_on"],
    )
    programme = forms.ChoiceField(
        label=_("Programme"), choices=[("", _("All")), *Programme.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Status.choices], required=False
    )
    file_format = forms.ChoiceField(
        label=_("File format"), choices=FileFormat.choices, initial=FileFormat.CSV
    )
    password = password_field(
        _(
            "At least 12 characters. The file comes in a ZIP encrypted with AES-256 under "
            "this password; Haven does not keep it, so give it to the recipient by another "
            "channel than the file."
        )
    )
