from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from haven.accounts.gates import requires
from haven.audit.actions import record_event
from haven.core.web import paginate, query_without_page
from haven.core.widgets import DateInput
from haven.oversight import selectors


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label=_("User"), required=False)
    action = forms.CharField(label=_("Action starts with"), required=False)
    object_type = forms.ChoiceField(
        label=_("Record type"),
        required=False,
        choices=[("", _("Any")), ("case", _("Case")), ("person", _("Person")), ("user", _("User"))],
    )
    object_id = forms.CharField(label=_("Record id"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)


def _search(request, template, search, with_action):
    form = AuditSearchForm(request.GET or None)
    if not with_action:
        del form.fields["action"]
    criteria = form.cleaned_data if form.is_valid() else {}
    criteria = {k: v for k, v in criteria.items() if v}
    records = search(request.user, **criteria)
    if criteria:
        # Searching the logs is itself a look at who did what: it is audited too.
        record_event(request.user, "audit.search", details={k: str(v) for k, v in criteria.items()})
    return render(
        request,
        template,
        {
            "form": form,
            "page": paginate(request, records, 50),
            "querystring": query_without_page(request),
        },
    )


@require_safe
@requires("audit.view")
def audit_events(request):
    return _search(request, "oversight/events.html", selectors.search_events, True)


@require_safe
@requires("audit.view")
def access_log(request):
    return _search(request, "oversight/access.html", selectors.search_access, False)
