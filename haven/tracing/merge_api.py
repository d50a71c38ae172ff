"""Duplicates over the API: the review queue, merges and their undo, and the
deduplication job — the same policy, actions and audit as the pages."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from haven.accounts import policy
from haven.audit.actions import record_access
from haven.core.serializers import ModelSerializer, Serializer
from haven.people import selectors as people_selectors
from haven.people.actions import EDITABLE_FIELDS
from haven.tracing import dedupe_actions, merge_actions, selectors
from haven.tracing.api import ReasonSerializer
from haven.tracing.models import DedupeJob, DuplicatePair, PersonMerge


class DedupeJobSerializer(ModelSerializer):
    class Meta:
        model = DedupeJob
        fields = [
            "id",
            "status",
            "progress",
            "stage",
            "persons",
            "pairs",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class DuplicatePairSerializer(ModelSerializer):
    reasons = ReasonSerializer(many=True, source="explanation.fields", read_only=True, default=list)

    class Meta:
        model = DuplicatePair
        fields = ["id", "first", "second", "probability", "reasons", "status"]
        read_only_fields = fields


class MergeRequestSerializer(Serializer):
    survivor = serializers.IntegerField(help_text="The person record kept.")
    merged = serializers.IntegerField(help_text="The person record folded into it.")
    take = serializers.ListField(
        child=serializers.ChoiceField(choices=EDITABLE_FIELDS),
        required=False,
        help_text="Fields that take the merged record's value (the survivor's stay otherwise).",
    )
    survivor_version = serializers.IntegerField()
    merged_version = serializers.IntegerField()


class PersonMergeSerializer(ModelSerializer):
    moved = serializers.SerializerMethodField()

    class Meta:
        model = PersonMerge
        fields = ["id", "survivor", "merged", "taken_fields", "moved", "merged_at", "undone_at"]
        read_only_fields = fields

    def get_moved(self, merge) -> dict[str, int]:
        return {kind: len(ids) for kind, ids in merge.moved.items()}


class DedupeJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Runs of the deduplication of all persons: counts and progress, never names."""

    serializer_class = DedupeJobSerializer
    required_perms = {"*": "person.deduplicate"}

    def get_queryset(self):
        return DedupeJob.objects.filter(policy.dedupe_job_q(self.request.user))

    @extend_schema(request=None, responses=DedupeJobSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        job = dedupe_actions.cancel_job(request.user, self.get_object())
        return Response(DedupeJobSerializer(job).data)

    @extend_schema(request=None, responses={201: DedupeJobSerializer})
    def create(self, request):
        job = dedupe_actions.start_job(request.user)
        job.refresh_from_db()
        return Response(DedupeJobSerializer(job).data, status=status.HTTP_201_CREATED)


class DuplicatePairViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The review queue: pairs the caller may see both persons of."""

    serializer_class = DuplicatePairSerializer
    required_perms = {"*": "person.merge"}

    def get_queryset(self):
        return selectors.review_queue(self.request.user)

    @extend_schema(request=None, responses=DuplicatePairSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        pair = selectors.get_pair(request.user, pk)
        dedupe_actions.dismiss_pair(request.user, pair)
        return Response(DuplicatePairSerializer(pair).data)


class PersonMergeViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Merges of two records of one person, and their undo."""

    serializer_class = PersonMergeSerializer
    required_perms = {"*": "person.merge"}
    queryset = PersonMerge.objects.none()  # reads go through selectors.get_merge

    def retrieve(self, request, pk=None):
        merge = selectors.get_merge(request.user, pk)
        record_access(request.user, "person.merge_detail", merge.survivor)
        return Response(PersonMergeSerializer(merge).data)

    @extend_schema(request=MergeRequestSerializer, responses={201: PersonMergeSerializer})
    def create(self, request):
        payload = MergeRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        survivor = people_selectors.get_person(request.user, data["survivor"])
        merged = people_selectors.get_person(request.user, data["merged"])
        if survivor.pk == merged.pk:
            raise serializers.ValidationError({"merged": [_("Choose two different records.")]})
        merge = merge_actions.merge_persons(
            request.user,
            survivor,
            merged,
            take=data.get("take", []),
            versions=(data["survivor_version"], data["merged_version"]),
        )
        return Response(PersonMergeSerializer(merge).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PersonMergeSerializer)
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        merge = selectors.get_merge(request.user, pk)
        merge_actions.undo_merge(request.user, merge)
        return Response(PersonMergeSerializer(merge).data)
