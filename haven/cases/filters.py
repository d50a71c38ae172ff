"""Case list filters, shared by the web list and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from haven.accounts.models import Office, User
from haven.cases.models import Case, Programme, RiskLevel, Vulnerability
from haven.cases.selectors import with_vulnerability_q
from haven.cases.workflow import Status
from haven.core.widgets import DateInput

ANY = _("Any")


class AnyYesNo(BooleanWidget):
    """The yes/no filter, with "Any" rather than "Unknown" for no choice."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", ANY), ("true", _("Yes")), ("false", _("No")))


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=ANY)
    programme = django_filters.ChoiceFilter(
        label=_("Programme"), choices=Programme.choices, empty_label=ANY
    )
    vulnerability = django_filters.ChoiceFilter(
        label=_("Vulnerability"),
        choices=Vulnerability.choices,
        method="filter_vulnerability",
        empty_label=ANY,
    )
    risk_level = django_filters.ChoiceFilter(
        label=_("Risk"), choices=RiskLevel.choices, empty_label=ANY
    )
    office = django_filters.ModelChoiceFilter(
        label=_("Office"), queryset=Office.objects.none(), empty_label=ANY
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"), queryset=User.objects.none(), empty_label=ANY
    )
    registered_from = django_filters.DateFilter(
        label=_("Registered from"), field_name="registered_on", lookup_expr="gte", widget=DateInput
    )
    registered_to = django_filters.DateFilter(
        label=_("Registered to"), field_name="registered_on", lookup_expr="lte", widget=DateInput
    )
    sensitive = django_filters.BooleanFilter(label=_("Sensitive"), widget=AnyYesNo)

    class Meta:
        model = Case
        fields = []

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is None and self.request is not None:
            user = self.request.user
        agency_id = getattr(user, "agency_id", None)
        self.filters["office"].queryset = Office.objects.filter(agency_id=agency_id)
        self.filters["owner"].queryset = User.objects.filter(agency_id=agency_id)

    def filter_vulnerability(self, queryset, name, value):
        return queryset.filter(with_vulnerability_q(value))
