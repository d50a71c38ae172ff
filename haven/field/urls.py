from django.urls import path

from haven.field import views

urlpatterns = [
    path("", views.app, name="field_app"),
    path("sw.js", views.service_worker, name="field_service_worker"),
    path("manifest.webmanifest", views.manifest, name="field_manifest"),
    path("devices/", views.devices, name="field_devices"),
    path("devices/<int:pk>/", views.device_detail, name="field_device"),
    path("devices/<int:pk>/revoke/", views.revoke, name="field_device_revoke"),
    path("picks/", views.picks, name="field_picks"),
    path("picks/<int:pk>/remove/", views.unpick, name="field_unpick"),
    path("conflicts/", views.conflicts, name="field_conflicts"),
    path("conflicts/<int:pk>/", views.conflict, name="field_conflict"),
]
