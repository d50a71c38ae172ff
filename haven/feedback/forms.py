"""Forms of the public page and of staff intake: shapes only; the actions decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.cases.models import Programme, RiskLevel, Vulnerability
from haven.core.models import Location
from haven.feedback.actions import MAX_SHORT, MAX_TEXT
from haven.feedback.models import (
    STAFF_CHANNELS,
    AffectedSex,
    AgeBand,
    Category,
    IncidentKind,
    Perpetrator,
    Priority,
)
from haven.people.models import Sex


class _Intake(forms.Form):
    category = forms.ChoiceField(
        label=_("What is your message about?"),
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what your message is about.")},
    )
    text = forms.CharField(
        label=_("Your message"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Say what happened, or what you need. Up to 5,000 characters."),
        error_messages={"required": _("Write your message.")},
    )
    place = forms.CharField(
        label=_("Where did it happen? (optional)"), max_length=MAX_SHORT, required=False
    )
    contact_name = forms.CharField(
        label=_("Your name (optional)"), max_length=MAX_SHORT, required=False
    )
    contact = forms.CharField(
        label=_("Phone number or email (optional)"),
        max_length=MAX_SHORT,
        required=False,
        help_text=_("Leave it out to stay anonymous: you can still read our answer."),
    )
    consent_to_contact = forms.BooleanField(label=_("You may contact me"), required=False)


class PublicForm(_Intake):
    """The public form. `website` is a honeypot: hidden from people, filled by scripts."""

    agency = forms.ChoiceField(label=_("Organisation"), required=False)
    answer = forms.CharField(label=_("Answer"), max_length=10, required=True)
    token = forms.CharField(widget=forms.HiddenInput)
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    field_order = ["agency", "category", "text", "place", "contact_name", "contact"]

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.code, a.name) for a in agencies]
        self.fields["answer"].error_messages["required"] = _("Answer the question.")


class StaffIntakeForm(_Intake):
    channel = forms.ChoiceField(label=_("Channel"), choices=STAFF_CHANNELS)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    office = forms.ModelChoiceField(label=_("Office"), queryset=None, required=False)

    field_order = ["channel", "category", "priority", "office", "text"]

    def __init__(self, *args, offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["category"].label = _("Category")
        self.fields["text"].label = _("What the person said")
        self.fields["contact_name"].label = _("Name given (optional)")
        self.fields["consent_to_contact"].label = _("The person agrees to be contacted")


class OpenCaseForm(forms.Form):
    """A case for the person who wrote: the least registration needs, with their consent."""

    given_name = forms.CharField(label=_("Given name"), max_length=120)
    family_name = forms.CharField(label=_("Family name"), max_length=120, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    programme = forms.ChoiceField(label=_("Programme"), choices=Programme.choices)
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerability categories"),
        choices=Vulnerability.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"), choices=RiskLevel.choices, initial="medium"
    )
    consent_given = forms.BooleanField(
        label=_("The person consents to registration"),
        required=False,
        help_text=_("Ask them first: a case is opened only with their consent."),
    )


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type of incident"), choices=IncidentKind.choices)
    occurred_on = forms.DateField(
        label=_("Date it happened"), widget=forms.DateInput(attrs={"type": "date"})
    )
    perpetrator = forms.ChoiceField(
        label=_("Perpetrator (category)"),
        choices=Perpetrator.choices,
        help_text=_("A category only: never write anyone's name in an incident."),
    )
    location = forms.ModelChoiceField(
        label=_("Place"),
        queryset=Location.objects.order_by("country_code", "level", "name"),
        required=False,
    )
    office = forms.ModelChoiceField(label=_("Office"), queryset=None, required=False)
    description = forms.CharField(
        label=_("What happened (no names)"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        for sex, sex_label in AffectedSex.choices:
            for band, band_label in AgeBand.choices:
                self.fields[f"n_{sex}_{band}"] = forms.IntegerField(
                    label=f"{sex_label}, {band_label}",
                    min_value=0,
                    max_value=10_000,
                    required=False,
                    widget=forms.NumberInput(attrs={"min": 0, "max": 10_000}),
                )

    def count_fields(self):
        return [self[name] for name in self.fields if name.startswith("n_")]

    def counts(self) -> dict[tuple[str, str], int]:
        return {
            (sex, band): self.cleaned_data.get(f"n_{sex}_{band}") or 0
            for sex, _label in AffectedSex.choices
            for band, _band_label in AgeBand.choices
        }
