from django import forms
from django.utils.translation import gettext_lazy as _

from haven.evidence.datasets import FIELDS, SENSITIVE


class ReleaseForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=500,
        help_text=_("Who receives it and why, e.g. 'Quarterly report to the donor'."),
    )
    fields = forms.MultipleChoiceField(
        label=_("Fields (quasi-identifiers)"),
        choices=list(FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
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
