"""The retention page: the agency's rules, what each would remove (dry runs), approval of a
rule's first run, and every run with its counts."""

import io

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from haven.accounts.gates import requires
from haven.audit.actions import record_event
from haven.core.pdf import pdf_from_html
from haven.core.spreadsheets import csv_writer
from haven.core.web import submitted, succeeded
from haven.oversight import actions
from haven.oversight.forms import RetentionRuleForm
from haven.oversight.models import RetentionRule, RetentionRun
from haven.oversight.processing_register import register as processing_register_of


@requires("retention.manage")
def retention(request):
    form = RetentionRuleForm(request.POST or None)
    if submitted(
        request,
        form,
        lambda: actions.create_rule(request.user, **form.cleaned_data),
        _("Rule saved. Run it dry to see what it would remove, then approve it."),
    ):
        return redirect("retention")
    rules = RetentionRule.objects.filter(agency_id=request.user.agency_id)
    runs = RetentionRun.objects.filter(rule__in=rules).select_related("rule", "ran_by")[:50]
    return render(
        request,
        "oversight/retention.html",
        {"form": form, "rules": rules, "runs": runs},
        status=400 if request.method == "POST" else 200,
    )


def _rule_or_404(request, pk: int) -> RetentionRule:
    rule = RetentionRule.objects.filter(pk=pk, agency_id=request.user.agency_id).first()
    if rule is None:
        raise Http404
    return rule


def _on_rule(request, pk: int, action, done: str):
    rule = _rule_or_404(request, pk)
    succeeded(request, None, lambda: action(request.user, rule), done)
    return redirect("retention")


@require_POST
@requires("retention.manage")
def retention_dry_run(request, pk: int):
    return _on_rule(request, pk, actions.dry_run, _("Dry run done."))


@require_POST
@requires("retention.manage")
def retention_approve(request, pk: int):
    return _on_rule(
        request,
        pk,
        actions.approve_rule,
        _("Approved: the daily job applies this rule from now on."),
    )


@require_POST
@requires("retention.manage")
def retention_deactivate(request, pk: int):
    return _on_rule(
        request,
        pk,
        actions.deactivate_rule,
        _("Rule made inactive: nothing more is removed by it."),
    )


@require_safe
@requires("retention.manage")
def processing_register(request):
    """The register of processing as a page, `?format=pdf` or `?format=csv`."""
    agency = request.user.agency
    if agency is None:
        raise Http404
    sections = processing_register_of(agency)
    fmt = request.GET.get("format", "")
    if fmt not in ("", "pdf", "csv"):
        return HttpResponse(
            _("Choose format=pdf or format=csv (or none for the page)."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    if fmt:
        record_event(request.user, "processing_register.export", details={"format": fmt})
    if fmt == "csv":
        out = io.StringIO()
        writer = csv_writer(out)
        writer.writerow([_("Section"), _("Item"), _("Value")])
        for section in sections:
            writer.writerows([section.title, label, value] for label, value in section.rows)
        return _download(out.getvalue().encode("utf-8-sig"), "text/csv", "csv")
    if fmt == "pdf":
        html = render_to_string(
            "oversight/processing_register_pdf.html",
            {
                "sections": sections,
                "agency": agency,
                "rtl": get_language_bidi(),
                "language": get_language(),
                "made_on": timezone.localdate(),
            },
        )
        return _download(pdf_from_html(html), "application/pdf", "pdf")
    return render(
        request, "oversight/processing_register.html", {"sections": sections, "agency": agency}
    )


def _download(data: bytes, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="register-of-processing.{extension}"'
    return response


@require_POST
@requires("retention.manage")
def retention_suggested(request):
    added = []
    succeeded(request, None, lambda: added.extend(actions.add_suggested_rules(request.user)))
    messages.success(
        request,
        _("%(n)s suggested rule(s) added: run each dry, then approve it.") % {"n": len(added)},
    )
    return redirect("retention")
