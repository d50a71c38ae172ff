from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.picker_fields import LocationField, PickerListField
from haven.core.widgets import DateInput
from haven.people.actions import EDITABLE_FIELDS
from haven.people.models import (
    WG_DOMAINS,
    Contact,
    Difficulty,
    IdentityDocument,
    Person,
    Relationship,
)


class PersonForm(forms.ModelForm):
    """Edit a person; nationalities and languages picked by name, as at registration."""

    nationalities = PickerListField(
        "country",
        label=_("Nationalities"),
        required=False,
        help_text=_("Type a few letters of each country and pick it; separate them by commas."),
    )
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
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Person
        fields = EDITABLE_FIELDS
        widgets = {"birth_date": DateInput, "gender_identity": forms.TextInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.initial["nationalities"] = list(self.instance.nationalities or [])
        self.initial["languages"] = list(self.instance.languages or [])
        for name, question in WG_DOMAINS.items():
            self.fields[name] = forms.TypedChoiceField(
                label=question,
                choices=[("", "—"), *Difficulty.choices],
                coerce=int,
                empty_value=None,
                required=False,
            )

    def _post_clean(self):
        # Validation happens once, in the action (it also normalises codes first).
        pass

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["kind", "value", "safe_to_contact"]
        widgets = {"value": forms.TextInput}


class DocumentForm(forms.ModelForm):
    class Meta:
        model = IdentityDocument
        fields = ["kind", "number", "issuing_country", "expires_on"]
        widgets = {"number": forms.TextInput, "expires_on": DateInput}

    def _post_clean(self):
        pass


class RelativeForm(forms.Form):
    case_number = forms.CharField(
        label=_("Relative's case number"),
        max_length=40,
        help_text=_("The relative must be registered."),
    )
    kind = forms.ChoiceField(
        label=_("The relative is this person's"), choices=Relationship.Kind.choices
    )
    separated = forms.BooleanField(label=_("Separated from this relative"), required=False)
