from django import forms
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Agency, User
from haven.cases.models import (
    Case,
    ClosureReason,
    ControlMeans,
    Exploitation,
    LabourExploitation,
    PlanAction,
    Programme,
    Recruitment,
    RiskLevel,
    SexExploitation,
    TraffickingProfile,
    Vulnerability,
)
from haven.cases.workflow import Status
from haven.core import validators
from haven.core.picker_fields import LocationField, PickerListField
from haven.core.reference import country_choices
from haven.core.widgets import DateInput
from haven.people.actions import REGISTRATION_FIELDS
from haven.people.models import (
    BirthDatePrecision,
    CareStatus,
    ConsentPurpose,
    LegalBasis,
    Sex,
)


class RegistrationForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=120)
    family_name = forms.CharField(label=_("Family name"), max_length=120, required=False)
    other_names = forms.CharField(
        label=_("Other names and aliases"), max_length=250, required=False
    )
    original_script_name = forms.CharField(
        label=_("Name in original script"),
        max_length=250,
        required=False,
        help_text=_("As the person writes it, e.g. in Arabic or Cyrillic script."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    # Checked here as well as on the model, so it is reported with every other problem.
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DateInput,
        validators=[validators.not_in_future],
    )
    birth_date_precision = forms.ChoiceField(
        label=_("Precision of the date of birth"), choices=BirthDatePrecision.choices
    )
    nationalities = PickerListField(
        "country",
        label=_("Nationalities"),
        required=False,
        help_text=_("Type a few letters of each country and pick it; separate them by commas."),
    )
    stateless = forms.BooleanField(label=_("Stateless"), required=False)
    languages = PickerListField(
        "language",
        label=_("Languages"),
        required=False,
        help_text=_("Type a few letters of each language and pick it; separate them by commas."),
    )
    current_location = LocationField(
        label=_("Current location"),
        required=False,
        help_text=_("Type a few letters of the place and pick it."),
    )
    care_status = forms.ChoiceField(
        label=_("Care status"), choices=CareStatus.choices, required=False
    )

    programme = forms.ChoiceField(label=_("Programme"), choices=Programme.choices)
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerability categories"),
        choices=Vulnerability.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"), choices=RiskLevel.choices, initial="medium"
    )
    sensitive = forms.BooleanField(
        label=_("Sensitive case"),
        required=False,
        help_text=_("Only you, assigned users and protection officers will see it."),
    )
    office = forms.ModelChoiceField(label=_("Office"), queryset=None)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    registration_basis = forms.ChoiceField(
        label=_("Legal basis for registering"), choices=LegalBasis.choices, initial="consent"
    )
    consent_given = forms.BooleanField(
        label=_("The person consents to registration"), required=False, initial=True
    )
    consent_purposes = forms.MultipleChoiceField(
        label=_("The person also consents to"),
        choices=[c for c in ConsentPurpose.choices if c[0] != ConsentPurpose.REGISTRATION],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    not_a_duplicate = forms.BooleanField(
        label=_("I checked the possible duplicates: this is a different person"), required=False
    )

    PERSON_FIELDS = REGISTRATION_FIELDS
    CASE_FIELDS = ["programme", "vulnerabilities", "risk_level", "sensitive", "office", "summary"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = user.offices.all()
        self.fields["office"].initial = user.offices.order_by("id").first()

    def person_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.PERSON_FIELDS}

    def case_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.CASE_FIELDS}


class CaseEditForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Case
        fields = ["programme", "vulnerabilities", "risk_level", "sensitive", "office", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}

    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerability categories"),
        choices=Vulnerability.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = self.instance.agency.offices.all()
        self.fields["version"].initial = self.instance.version


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"), choices=Status.choices)
    closure_reason = forms.ChoiceField(
        label=_("Closure reason"), choices=[("", "—"), *ClosureReason.choices], required=False
    )
    comment = forms.CharField(label=_("Comment"), max_length=1000, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ClosureRequestForm(forms.Form):
    closure_reason = forms.ChoiceField(label=_("Closure reason"), choices=ClosureReason.choices)
    comment = forms.CharField(label=_("Comment"), max_length=1000, required=False)


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("1", _("Approve")), ("0", _("Reject"))], coerce=lambda v: v == "1"
    )
    comment = forms.CharField(label=_("Comment"), max_length=1000, required=False)


class PlanForm(forms.Form):
    goals = forms.CharField(label=_("Goals"), widget=forms.Textarea(attrs={"rows": 4}))


class PlanActionForm(forms.ModelForm):
    class Meta:
        model = PlanAction
        fields = ["description", "responsible", "due_on", "done"]
        widgets = {"due_on": DateInput}

    def __init__(self, *args, agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = User.objects.filter(agency=agency, is_active=True)


PlanActionFormSet = forms.formset_factory(PlanActionForm, extra=2, can_delete=True)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class FlagForm(forms.Form):
    text = forms.CharField(label=_("Flag"), max_length=300)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=LegalBasis.choices)
    given = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Given")), ("0", _("Withdrawn or refused"))],
        coerce=lambda v: v == "1",
    )
    decided_on = forms.DateField(label=_("Date"), widget=DateInput)
    remarks = forms.CharField(label=_("Remarks"), max_length=500, required=False)


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    assignees = forms.ModelMultipleChoiceField(
        label=_("Also assigned"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        users = User.objects.filter(agency_id=case.agency_id, is_active=True).order_by("username")
        self.fields["owner"].queryset = users
        self.fields["assignees"].queryset = users


class TransferForm(forms.Form):
    to_agency = forms.ModelChoiceField(label=_("Receiving agency"), queryset=None)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = Agency.objects.filter(is_active=True).exclude(
            pk=case.agency_id
        )


TRAFFICKING_CHOICES = {
    "exploitation": Exploitation.choices,
    "means_of_control": ControlMeans.choices,
    "labour_exploitation": LabourExploitation.choices,
    "sex_exploitation": SexExploitation.choices,
    "recruitment": Recruitment.choices,
}


class TraffickingProfileForm(forms.ModelForm):
    """The HTCDS victim context of a counter-trafficking case, as ticked boxes."""

    class Meta:
        model = TraffickingProfile
        fields = [
            "exploitation",
            "means_of_control",
            "labour_exploitation",
            "sex_exploitation",
            "recruitment",
            "country_of_exploitation",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in TRAFFICKING_CHOICES.items():
            model_field = TraffickingProfile._meta.get_field(name)
            self.fields[name] = forms.MultipleChoiceField(
                label=model_field.verbose_name.capitalize(),
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        self.fields["country_of_exploitation"] = forms.ChoiceField(
            label=_("Country of exploitation"),
            choices=[("", _("Unknown")), *country_choices()],
            required=False,
        )
