"""The field app's API: enrol a device, the device's status, pull its slice, push what it
did offline, and the conflicts left to resolve. A device proves itself with the header
`X-Haven-Device: <id>.<secret>` beside its user's session."""

from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from haven.audit.actions import record_event
from haven.core.errors import HavenError, NotAllowed
from haven.field import actions, device_files, pull, selectors, sync
from haven.field.models import Device

HEADER = "HTTP_X_HAVEN_DEVICE"


def device_of(request) -> Device:
    """The device the request comes from, after its contact check (410 when it must wipe)."""
    device = actions.find_device(request.META.get(HEADER, ""))
    if device is None:
        raise NotAllowed(
            _("This device is not enrolled (or its enrolment was removed): enrol it again.")
        )
    user = request.user if request.user.is_authenticated else None
    actions.contact(device, user)
    return device


class DeviceSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)
    revoked = serializers.SerializerMethodField()

    class Meta:
        model = Device
        fields = [
            "id",
            "name",
            "user",
            "enrolled_at",
            "last_contact_at",
            "last_sync_at",
            "held_cases",
            "revoked",
            "revoked_at",
        ]
        read_only_fields = fields

    def get_revoked(self, device) -> bool:
        return device.revoked_at is not None


class EnrolSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)


class EnrolledSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    secret = serializers.CharField(
        help_text="Shown once: the device keeps it, the server only its digest."
    )
    recovery_key = serializers.CharField(
        help_text="Wraps the device's data key (base64, 32 bytes)."
    )
    lock_minutes = serializers.IntegerField()
    wipe_after_days = serializers.IntegerField()


class DevicesView(APIView):
    required_perms = {"get": None, "post": "field.offline"}

    @extend_schema(responses=DeviceSerializer(many=True))
    def get(self, request):
        devices = selectors.devices_visible_to(request.user)[:200]
        return Response(DeviceSerializer(devices, many=True).data)

    @extend_schema(request=EnrolSerializer, responses={201: EnrolledSerializer})
    def post(self, request):
        payload = EnrolSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        device, secret = actions.enrol(
            request.user,
            name=payload.validated_data["name"],
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        body = {
            "id": device.pk,
            "secret": secret,
            "recovery_key": device.recovery_key,
            **actions.device_settings(),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class StatusSerializer(serializers.Serializer):
    lock_minutes = serializers.IntegerField()
    wipe_after_days = serializers.IntegerField()


class DeviceStatusView(APIView):
    """Every contact starts here, signed in or not: 200 to keep working, 410 with the reason
    to wipe everything (revoked, account deactivated, role no longer allows offline work)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=StatusSerializer)
    def get(self, request):
        device = actions.find_device(request.META.get(HEADER, ""))
        if device is None:
            return Response(
                {"detail": _("This device is not enrolled."), "code": "unknown"}, status=404
            )
        actions.contact(device)
        return Response(actions.device_settings())


class RecoveryKeySerializer(serializers.Serializer):
    recovery_key = serializers.CharField()


class RecoveryKeyView(APIView):
    """The key that unlocks this device's data when its passphrase is forgotten: to the
    device's own user, signed in online, from the device itself (audited)."""

    required_perms = {"post": "field.offline"}

    @extend_schema(request=None, responses=RecoveryKeySerializer)
    def post(self, request):
        device = device_of(request)
        return Response({"recovery_key": actions.recovery_key(request.user, device)})


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class RevokeView(APIView):
    required_perms = {"post": None}

    @extend_schema(request=RevokeSerializer, responses=DeviceSerializer)
    def post(self, request, pk):
        device = selectors.devices_visible_to(request.user).filter(pk=pk).first()
        if device is None:
            return Response({"detail": _("No such device.")}, status=404)
        payload = RevokeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        actions.revoke(request.user, device, payload.validated_data.get("reason", ""))
        return Response(DeviceSerializer(device).data)


def _moment(value: str | None, name: str):
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        raise HavenError(_("%(n)s must be a time as the server sent it.") % {"n": name}, field=name)
    return moment


@method_decorator(gzip_page, name="get")
class PullView(APIView):
    """A page of the device's slice (compressed when the device accepts gzip)."""

    required_perms = {"get": "field.offline"}

    @extend_schema(
        parameters=[
            OpenApiParameter("since", str, description="The cursor of the last complete pull"),
            OpenApiParameter("until", str, description="From the first page of this round"),
            OpenApiParameter("after", int, description="The last case id received"),
        ],
        responses={200: dict},
    )
    def get(self, request):
        device = device_of(request)
        after = request.query_params.get("after", "0")
        if not after.isdigit() or len(after) > 18:
            raise HavenError(_("after must be a case id."), field="after")
        page = pull.pull(
            device,
            since=_moment(request.query_params.get("since"), "since"),
            until=_moment(request.query_params.get("until"), "until"),
            after=int(after),
        )
        return Response(page)


class PushSerializer(serializers.Serializer):
    operations = serializers.ListField(
        child=serializers.DictField(), max_length=sync.MAX_OPERATIONS
    )


class PushView(APIView):
    """Operations made offline; each answered on its own (applied, conflict, refused with
    the reason, or waiting for its registration)."""

    required_perms = {"post": "field.offline"}

    @extend_schema(request=PushSerializer, responses={200: dict})
    def post(self, request):
        device = device_of(request)
        payload = PushSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        results = sync.push(device, request.user, payload.validated_data["operations"])
        counts: dict[str, int] = {}
        for result in results:
            counts[result["status"]] = counts.get(result["status"], 0) + 1
        record_event(
            request.user,
            "device.sync",
            obj=device,
            agency_id=request.user.agency_id,
            details=counts,
        )
        return Response({"results": results})


class DeviceFileUploadSerializer(serializers.Serializer):
    id = serializers.UUIDField(
        help_text="Chosen by the device; the change that needs the file names it."
    )
    file = serializers.FileField(required=False)


class DeviceFileSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="file_id")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class DeviceFilesView(APIView):
    """A file the device sends ahead of the change that names it (a photo answering an
    assessment filled offline): 201 when new, 200 when it had arrived already."""

    required_perms = {"post": "field.offline"}
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": DeviceFileUploadSerializer},
        responses={200: DeviceFileSerializer, 201: DeviceFileSerializer},
    )
    def post(self, request):
        device = device_of(request)
        payload = DeviceFileUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        kept, new = device_files.receive(
            device,
            request.user,
            str(payload.validated_data["id"]),
            payload.validated_data.get("file"),
        )
        return Response(
            DeviceFileSerializer(kept).data, status=status.HTTP_201_CREATED if new else 200
        )
