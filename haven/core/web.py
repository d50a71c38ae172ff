"""Small helpers shared by the web views."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from haven.core.errors import HavenError


def succeeded(request, form, action, message=None) -> bool:
    """Run a write; on refusal show why (on the form, or as a message) and return False."""
    try:
        action()
    except (HavenError, ValidationError) as exc:
        report_errors(request, form, exc)
        return False
    if message:
        messages.success(request, message)
    return True


def submitted(request, form, action, message=None) -> bool:
    """A posted, valid form whose write succeeded (refusals are shown on the form)."""
    return (
        request.method == "POST" and form.is_valid() and succeeded(request, form, action, message)
    )


def _visible_field(form, name):
    """The field to attach an error to, or None for the form as a whole (hidden fields too)."""
    if form is None or name not in form.fields or form.fields[name].widget.is_hidden:
        return None
    return name


def report_errors(request, form, exc: Exception) -> None:
    """Put an action's refusal on the form (by field where it names one) or as a message."""
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        for field, errors in exc.message_dict.items():
            target = _visible_field(form, field)
            for error in errors:
                if form is not None:
                    form.add_error(target, error)
                else:
                    messages.error(request, error)
    elif isinstance(exc, ValidationError):
        for error in exc.messages:
            messages.error(request, error)
    elif isinstance(exc, HavenError):
        if form is not None:
            form.add_error(_visible_field(form, exc.field), exc.message)
        else:
            messages.error(request, exc.message)
    else:
        raise exc


class CappedPaginator(Paginator):
    """Counts at most `cap` rows, so a list of half a million cases is not counted row by row.

    Past the cap the page says "5,000+" and still pages forward through every result.
    """

    def __init__(self, object_list, per_page, cap: int):
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def validate_number(self, number):
        if not self.capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(_("That page number is not an integer")) from exc
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        return number

    def page(self, number):
        number = self.validate_number(number)
        if not self.capped:
            return super().page(number)
        start = (number - 1) * self.per_page
        # Past the end this is an empty page (the list shows "no cases"), never an error.
        rows = list(self.object_list[start : start + self.per_page + 1])
        return _OpenEndedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class _OpenEndedPage(Page):
    """A page of a capped list: it knows whether another page follows, not how many."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


def paginate(request, queryset, per_page: int = 25, cap: int | None = None):
    paginator = (
        Paginator(queryset, per_page) if cap is None else CappedPaginator(queryset, per_page, cap)
    )
    return paginator.get_page(request.GET.get("page"))


def posted_version(post) -> int:
    """The record version a form was built from (0 when missing: refused as stale)."""
    return int(post["version"]) if post.get("version", "").isdigit() else 0


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
