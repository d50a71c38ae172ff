from django import forms
from django.utils.translation import gettext_lazy as _

from haven.cases.models import Programme
from haven.core.archives import password_field
from haven.core.widgets import DateInput
from haven.oversight.models import Decision, HoldKind, RetentionKind, SubjectRequest


class RequestForm(forms.ModelForm):
    class Meta:
        model = SubjectRequest
        fields = ["kind", "received_on", "channel", "identity_checked", "details", "language"]
        widgets = {"received_on": DateInput, "details": forms.Textarea(attrs={"rows": 3})}


class DecisionForm(forms.Form):
    record = forms.CharField(widget=forms.HiddenInput, max_length=60)
    field = forms.CharField(widget=forms.HiddenInput, max_length=60, required=False)
    withhold = forms.TypedChoiceField(
        widget=forms.HiddenInput, choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)


class AnswerForm(forms.Form):
    password = password_field(
        _(
            "The answer (PDF and JSON) is in an archive that opens with this password; Haven "
            "does not keep it, so give it to the person another way."
        )
    )


class HoldForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of hold"), choices=HoldKind.choices)
    reason = forms.CharField(label=_("Why the records must be kept"), max_length=500)


class LiftForm(forms.Form):
    lift_reason = forms.CharField(label=_("Why the hold is lifted"), max_length=500)


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the data is erased"),
        max_length=500,
        help_text=_("For example: the person's request of 3 May. Do not write their name."),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that names, documents, contacts and every free text about this "
            "person are removed for good; only what statistics need stays."
        )
    )


class RetentionRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is removed"), choices=RetentionKind.choices)
    programme = forms.ChoiceField(
        label=_("Programme"),
        choices=[("", _("Every programme")), *Programme.choices],
        required=False,
    )
    after_days = forms.IntegerField(
        label=_("After (days)"),
        min_value=1,
        help_text=_("For example 1825 for five years, 365 for twelve months."),
    )


class CorrectionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required unless corrected as asked."),
    )
