"""The release pages: the register, a new release, its report and its download."""

from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.core.web import paginate, requires, submitted, succeeded
from haven.evidence import actions, selectors
from haven.evidence.datasets import FIELDS
from haven.evidence.forms import ReleaseForm
from haven.evidence.models import ReleaseStatus


@requires("release.create")
def release_list(request):
    return render(
        request,
        "evidence/list.html",
        {"page": paginate(request, selectors.visible_releases(request.user)), "querystring": ""},
    )


@requires("release.create")
def release_new(request):
    form = ReleaseForm(request.POST or None)
    made = []
    if submitted(
        request,
        form,
        lambda: made.append(
            actions.request_release(
                request.user,
                purpose=form.cleaned_data["purpose"],
                fields=form.cleaned_data["fields"],
                k=form.cleaned_data["k"],
                suppression_limit=form.cleaned_data["suppression"] / 100,
                sensitive=form.cleaned_data["sensitive"],
                l_diversity=form.cleaned_data["l_diversity"],
            )
        ),
        _("Release requested: it is made in the background."),
    ):
        return redirect("release_detail", pk=made[0].pk)
    return render(request, "evidence/form.html", {"form": form})


@requires("release.create")
def release_detail(request, pk):
    release = selectors.get_release(request.user, pk)
    return render(
        request,
        "evidence/detail.html",
        {
            "release": release,
            "running": release.status in (ReleaseStatus.QUEUED, ReleaseStatus.RUNNING),
            "labels": [FIELDS[f] for f in release.fields],
            "expired": release.expires_at is not None and release.expires_at < timezone.now(),
        },
    )


@require_POST
@requires("release.create")
def release_cancel(request, pk):
    release = selectors.get_release(request.user, pk)
    succeeded(
        request,
        None,
        lambda: actions.cancel_release(request.user, release),
        _("Release cancelled: no file is made."),
    )
    return redirect("release_detail", pk=release.pk)


@requires("release.create")
def release_download(request, pk):
    release = selectors.get_release(request.user, pk)
    path = actions.available_file(release)
    if path is None:
        return HttpResponse(
            _("This release is not available: it is not ready, or it has expired."),
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    actions.downloaded(request.user, release)
    return FileResponse(path.open("rb"), as_attachment=True, filename=release.file_name)
