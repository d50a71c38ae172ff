"""Where pages and endpoints ask the access policy: `requires` on a page, `HavenPermission`
on an API view. Both check only that a permission is held in some scope; the object itself
is checked by the selector that reads it."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from haven.accounts import policy


def requires(perm: str):
    """Login plus one named permission (any scope); the object check happens in selectors."""
    return requires_any(perm)


def requires_any(*perms: str):
    """Login plus at least one of the named permissions; the object check is the selector's."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(policy.has_perm(request.user, perm) for perm in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.haven_permission = perms
        return wrapped

    return decorate


class HavenPermission(BasePermission):
    """`view.required_perms` maps DRF action names (or "*") to a Haven permission code, or to
    a tuple of codes of which any one is enough."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        perms = getattr(view, "required_perms", {})
        action = getattr(view, "action", None) or request.method.lower()
        perm = perms.get(action, perms.get("*"))
        if perm is None:
            return True
        # A tuple names alternatives: any one of them is enough.
        alternatives = perm if isinstance(perm, tuple) else (perm,)
        return any(policy.has_perm(user, p) for p in alternatives)
