"""The API's door to the access policy: each view names the permission each action needs."""

from rest_framework.permissions import BasePermission

from haven.accounts import policy


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
