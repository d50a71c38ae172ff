"""The field-by-field merge of two person records."""

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.models import Location
from haven.people.actions import EDITABLE_FIELDS
from haven.people.models import Person

SIDES = [("a", "A"), ("b", "B")]


def shown(person: Person, name: str) -> str:
    """A field's value as a person reads it."""
    if name == "current_location":
        location = Location.objects.filter(pk=person.current_location_id).first()
        return str(location) if location else ""
    value = getattr(person, name)
    display = getattr(person, f"get_{name}_display", None)
    if display is not None and value not in (None, ""):
        return str(display())
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return "" if value is None else str(value)


class MergeForm(forms.Form):
    """Which record survives, and for each field whose values differ, which one to keep."""

    survivor = forms.ChoiceField(
        label=_("Record kept (its number and history stay)"),
        choices=SIDES,
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("I checked that these two records are the same person"), required=True
    )
    version_a = forms.IntegerField(widget=forms.HiddenInput)
    version_b = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, a: Person, b: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.a, self.b = a, b
        self.fields["survivor"].initial = "a" if a.pk < b.pk else "b"
        self.fields["version_a"].initial = a.version
        self.fields["version_b"].initial = b.version
        self.rows = []
        for name in EDITABLE_FIELDS:
            left, right = shown(a, name), shown(b, name)
            if left == right:
                continue
            field = forms.ChoiceField(
                label=Person._meta.get_field(name).verbose_name,
                choices=[("a", left or "—"), ("b", right or "—")],
                widget=forms.RadioSelect,
                initial="b" if not left and right else "a",
            )
            self.fields[f"take_{name}"] = field
            self.rows.append((name, f"take_{name}"))

    def survivor_and_merged(self) -> tuple[Person, Person]:
        return (self.a, self.b) if self.cleaned_data["survivor"] == "a" else (self.b, self.a)

    def taken(self) -> list[str]:
        """The fields whose value comes from the record folded in."""
        kept = self.cleaned_data["survivor"]
        return [name for name, key in self.rows if self.cleaned_data[key] != kept]

    def versions(self) -> tuple[int, int]:
        va, vb = self.cleaned_data["version_a"], self.cleaned_data["version_b"]
        return (va, vb) if self.cleaned_data["survivor"] == "a" else (vb, va)
