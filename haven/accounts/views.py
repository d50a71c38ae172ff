from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from haven.accounts import policy
from haven.accounts.permissions import PERMISSIONS


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def profile(request):
    user = request.user
    grants = user.grants.select_related("role")
    return render(
        request,
        "accounts/profile.html",
        {
            "grants": grants,
            "permissions": {
                p: str(PERMISSIONS[p]) for p in PERMISSIONS if policy.has_perm(user, p)
            },
        },
    )
