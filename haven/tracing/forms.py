from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.widgets import DateInput
from haven.tracing.actions import REQUEST_FIELDS
from haven.tracing.models import PotentialMatch, Reunification, TracingRequest

# The web form's fields: the place last seen is written in words (a picker for the
# location hierarchy is the API's, for now).
FORM_FIELDS = [name for name in REQUEST_FIELDS if name != "last_seen_location"]


class TracingRequestForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = TracingRequest
        fields = FORM_FIELDS
        widgets = {
            "birth_date": DateInput,
            "last_seen_on": DateInput,
            "circumstances": forms.Textarea(attrs={"rows": 4}),
            "original_script_name": forms.TextInput(attrs={"dir": "auto"}),
        }
        help_texts = {
            "nationality": _("ISO country code, e.g. SY."),
            "original_script_name": _("As the enquirer writes it, e.g. in Arabic script."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def clean_nationality(self):
        return (self.cleaned_data.get("nationality") or "").strip().upper()

    def _post_clean(self):
        # Validation happens once, in the action.
        pass

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in FORM_FIELDS}


class ReunificationForm(forms.ModelForm):
    match = forms.ModelChoiceField(
        label=_("Person found"), queryset=PotentialMatch.objects.none(), empty_label=None
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Reunification
        fields = [
            "reunified_on",
            "place",
            "arrangement",
            "best_interests",
            "best_interests_on",
            "best_interests_by",
            "notes",
        ]
        widgets = {
            "reunified_on": DateInput,
            "best_interests_on": DateInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, request, child: bool, **kwargs):
        super().__init__(*args, **kwargs)
        confirmed = request.matches.filter(status="confirmed").select_related("person")
        self.fields["match"].queryset = confirmed
        self.fields["match"].label_from_instance = lambda m: m.person.full_name()
        self.fields["version"].initial = request.version
        self.order_fields(["match", *self.Meta.fields])
        if child:
            for name in ("best_interests", "best_interests_on", "best_interests_by"):
                self.fields[name].required = True

    def _post_clean(self):
        pass

    def record(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Reason for the decision"), max_length=500, required=False)


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Why is the request closed?"), max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)
