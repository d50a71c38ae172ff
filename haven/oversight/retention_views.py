"""The retention page: the agency's rules, what each would remove (dry runs), approval of a
rule's first run, and every run with its counts."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts.gates import requires
from haven.core.web import submitted, succeeded
from haven.oversight import actions
from haven.oversight.forms import RetentionRuleForm
from haven.oversight.models import RetentionRule, RetentionRun


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


@require_POST
@requires("retention.manage")
def retention_dry_run(request, pk: int):
    rule = _rule_or_404(request, pk)
    succeeded(request, None, lambda: actions.dry_run(request.user, rule), _("Dry run done."))
    return redirect("retention")


@require_POST
@requires("retention.manage")
def retention_approve(request, pk: int):
    rule = _rule_or_404(request, pk)
    succeeded(
        request,
        None,
        lambda: actions.approve_rule(request.user, rule),
        _("Approved: the daily job applies this rule from now on."),
    )
    return redirect("retention")


@require_POST
@requires("retention.manage")
def retention_deactivate(request, pk: int):
    rule = _rule_or_404(request, pk)
    succeeded(
        request,
        None,
        lambda: actions.deactivate_rule(request.user, rule),
        _("Rule made inactive: nothing more is removed by it."),
    )
    return redirect("retention")
