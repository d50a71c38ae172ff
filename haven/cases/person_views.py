"""The person in a case, edited from the case page: their details, contacts, documents,
family links and consent. The case's `case.update` (or `consent.manage`) grant decides;
people's actions do the writing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts.gates import requires
from haven.audit.actions import record_access
from haven.cases import forms, selectors
from haven.cases.views import case_url
from haven.core.web import succeeded
from haven.people import actions as people_actions
from haven.people import forms as person_forms
from haven.people.models import Person


@requires("case.update")
def person_edit(request, pk):
    case = selectors.get_case(request.user, pk, "case.update")
    if request.method == "GET":
        record_access(request.user, "person.edit", case.person)
    form = person_forms.PersonForm(request.POST or None, instance=case.person)
    if request.method == "POST" and form.is_valid():
        person = Person.objects.get(pk=case.person_id)
        if succeeded(
            request,
            form,
            lambda: people_actions.update_person(
                request.user, person, form.changes(), form.cleaned_data["version"]
            ),
            _("Person saved."),
        ):
            return redirect(f"{case_url(case)}?tab=person")
    return render(request, "cases/person_edit.html", {"case": case, "form": form})


def _person_post(request, pk, form_class, run, tab, done):
    case = selectors.get_case(request.user, pk, "case.update")
    form = form_class(request.POST)
    if form.is_valid():
        succeeded(request, None, lambda: run(case, form.cleaned_data), done)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect(f"{case_url(case)}?tab={tab}")


@require_POST
@requires("case.update")
def person_contact_add(request, pk):
    def run(case, data):
        people_actions.add_contact(request.user, case.person, **data)

    return _person_post(request, pk, person_forms.ContactForm, run, "person", _("Contact added."))


@require_POST
@requires("case.update")
def person_document_add(request, pk):
    def run(case, data):
        people_actions.add_document(request.user, case.person, **data)

    return _person_post(request, pk, person_forms.DocumentForm, run, "person", _("Document added."))


@require_POST
@requires("case.update")
def person_relative_add(request, pk):
    def run(case, data):
        relative_case = (
            selectors.visible_cases(request.user).filter(number=data["case_number"].strip()).first()
        )
        if relative_case is None:
            raise ValidationError(
                _("No case you can see has the number %(n)s.") % {"n": data["case_number"]}
            )
        people_actions.add_relationship(
            request.user,
            case.person,
            relative_case.person,
            kind=data["kind"],
            separated=data["separated"],
        )

    return _person_post(
        request, pk, person_forms.RelativeForm, run, "family", _("Family link added.")
    )


@require_POST
@requires("consent.manage")
def case_consent_add(request, pk):
    def run(case, data):
        people_actions.record_consent(request.user, case.person, **data)

    return _person_post(request, pk, forms.ConsentForm, run, "consent", _("Consent recorded."))
