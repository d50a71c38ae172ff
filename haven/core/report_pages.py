"""The steps every dashboard page takes: what was wrong in its parameters said as messages,
the tables as a file when the address asks for one (`?format=csv|xlsx|hxl`, audited), else
the page."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from haven.core import table_exports
from haven.core.reporting import dashboard_parameters
from haven.core.web import query_without_page


def report_page(
    request: HttpRequest,
    report: Any,
    *,
    period: dict,
    problems: list[str],
    name: str,
    title: str,
    template: str,
    context: dict | None = None,
) -> HttpResponse:
    for problem in problems:
        messages.error(request, problem)
    exported = table_exports.download_if_asked(
        request, name=name, title=title, report=report, period=period
    )
    if exported is not None:
        return exported
    page = {"report": report, "period": request.GET, "query": query_without_page(request)}
    return render(request, template, {**page, **(context or {})})


def period_report(request: HttpRequest, build: Callable[..., Any]) -> tuple[Any, dict, list]:
    """`build(user, since=, until=, base=)` over the period of `?from=&to=`, counts rounded
    to `?base=` where protected; with the period and what was wrong in the parameters."""
    period, base, problems = dashboard_parameters(request.GET)
    return build(request.user, base=base, **period), period, problems


def period_report_page(
    request: HttpRequest, build: Callable[..., Any], **page: Any
) -> HttpResponse:
    report, period, problems = period_report(request, build)
    return report_page(request, report, period=period, problems=problems, **page)
