from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from haven.audit.actions import record_access
from haven.people import actions, selectors
from haven.people.serializers import ConsentSerializer, PersonSerializer, PersonUpdateSerializer


class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """People the caller can see through their cases. Registration goes through /cases/."""

    serializer_class = PersonSerializer
    required_perms = {"*": "case.view", "partial_update": "case.update", "consents": "case.view"}

    def get_queryset(self):
        return selectors.visible_persons(self.request.user).order_by("id")

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        record_access(request.user, "person.detail", person)
        return Response(self.get_serializer(person).data)

    @extend_schema(request=PersonUpdateSerializer, responses=PersonSerializer)
    def partial_update(self, request, *args, **kwargs):
        person = self.get_object()
        payload = PersonUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version", None)
        if version is None:
            return Response({"version": ["Send the version you read."]}, status=400)
        actions.update_person(request.user, person, data, version)
        return Response(self.get_serializer(person).data)

    @extend_schema(methods=["GET"], responses=ConsentSerializer(many=True))
    @extend_schema(methods=["POST"], request=ConsentSerializer, responses={201: ConsentSerializer})
    @action(detail=True, methods=["get", "post"])
    def consents(self, request, pk=None):
        person = self.get_object()
        if request.method == "POST":
            payload = ConsentSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            consent = actions.record_consent(request.user, person, **payload.validated_data)
            return Response(ConsentSerializer(consent).data, status=201)
        record_access(request.user, "person.consents", person)
        consents = person.consents.select_related("recorded_by").order_by("-decided_on", "-id")
        page = self.paginate_queryset(consents)
        return self.get_paginated_response(ConsentSerializer(page, many=True).data)
