from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from haven.accounts import policy
from haven.accounts.permissions import PERMISSIONS
from haven.core.serializers import Serializer


class MeSerializer(Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    agency = serializers.CharField(allow_null=True)
    roles = serializers.ListField(child=serializers.DictField())
    permissions = serializers.ListField(child=serializers.CharField())


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request):
    user = request.user
    return Response(
        {
            "username": user.username,
            "full_name": user.get_full_name(),
            "agency": user.agency.code if user.agency_id else None,
            "roles": [
                {"role": g.role.code, "scope": g.scope} for g in user.grants.select_related("role")
            ],
            "permissions": [p for p in PERMISSIONS if policy.has_perm(user, p)],
        }
    )
