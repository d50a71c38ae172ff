"""Small helpers shared by the web views."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator

from haven.accounts import policy
from haven.core.errors import HavenError


def requires(perm: str):
    """Login plus one named permission (any scope); the object check happens in selectors."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not policy.has_perm(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.haven_permission = perm
        return wrapped

    return decorate


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


def paginate(request, queryset, per_page: int = 25):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
