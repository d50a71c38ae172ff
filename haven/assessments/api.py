"""Assessment forms and responses over the API: the same policy, actions and audit as the
web pages."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from haven.assessments import actions, imports, selectors
from haven.assessments import attachments as media
from haven.assessments.models import Assessment, AssessmentDefinition
from haven.audit.actions import record_access
from haven.cases import selectors as case_selectors
from haven.core.serializers import ModelSerializer, Serializer


class DefinitionSerializer(ModelSerializer):
    shipped = serializers.BooleanField(read_only=True)
    form = serializers.JSONField(read_only=True, help_text="The form as Haven read it.")

    class Meta:
        model = AssessmentDefinition
        fields = [
            "id",
            "form_id",
            "version",
            "form_version",
            "title",
            "shipped",
            "retired",
            "source_name",
            "source_sha256",
            "created_at",
            "form",
        ]
        read_only_fields = fields


class DefinitionUploadSerializer(Serializer):
    file = serializers.FileField(help_text="An XLSForm workbook (.xlsx or .xls).")
    media = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="The CSV files of choices its select_one_from_file questions read (each "
        "part named `media`).",
    )


class ImportUploadSerializer(Serializer):
    file = serializers.FileField(
        help_text="A KoboToolbox/ODK export (CSV or JSON) with a haven_case column."
    )
    preview = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Only say how each column is read and how many rows would be imported: "
        "nothing is saved.",
    )


class ImportColumnSerializer(Serializer):
    column = serializers.CharField()
    read_as = serializers.CharField(
        help_text="answer, option, instance id, case, submission time, form version, system or "
        "ignored"
    )
    question = serializers.CharField(help_text="The question it answers (answer, option)")
    option = serializers.CharField(help_text="The choice it stands for (option)")


class ImportRowSerializer(Serializer):
    row = serializers.IntegerField()
    case = serializers.CharField()
    status = serializers.IntegerField()
    assessment = serializers.IntegerField(required=False)
    detail = serializers.CharField(required=False)
    errors = serializers.DictField(child=serializers.ListField(), required=False)


class ImportResultSerializer(Serializer):
    created = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text="Responses imported before (same instance id)")
    refused = serializers.IntegerField()
    ignored_columns = serializers.ListField(child=serializers.CharField())
    results = ImportRowSerializer(many=True)
    preview = serializers.BooleanField(help_text="True: nothing was saved")
    columns = ImportColumnSerializer(many=True)
    rows = serializers.IntegerField(help_text="Responses in the file")
    cases_in_scope = serializers.IntegerField(
        help_text="Rows whose case is found in the caller's scope"
    )
    already_imported = serializers.IntegerField(help_text="Rows imported before (instance id)")


class AssessmentSerializer(ModelSerializer):
    # Stored encrypted (a text column): given as the JSON it holds.
    answers = serializers.JSONField(read_only=True)
    form_id = serializers.CharField(source="definition.form_id", read_only=True)
    definition_version = serializers.IntegerField(source="definition.version", read_only=True)
    scored_with_version = serializers.IntegerField(
        source="scored_with.version", read_only=True, allow_null=True
    )

    class Meta:
        model = Assessment
        fields = [
            "id",
            "case",
            "definition",
            "form_id",
            "definition_version",
            "status",
            "answers",
            "scores",
            "scored_with_version",
            "submitted_at",
            "due_on",
            "version",
        ]
        read_only_fields = fields


class AssessmentSummarySerializer(AssessmentSerializer):
    # Lists leave the answers out: reading them is a view of one assessment, access-logged.
    class Meta(AssessmentSerializer.Meta):
        fields = [f for f in AssessmentSerializer.Meta.fields if f != "answers"]
        read_only_fields = fields


class StartSerializer(Serializer):
    case = serializers.IntegerField()
    definition = serializers.IntegerField()


class ScheduleSerializer(Serializer):
    case = serializers.IntegerField()
    definition = serializers.IntegerField()
    due = serializers.ListField(
        child=serializers.DateField(), help_text="One round per date (up to 12), none past."
    )


class AnswersSerializer(Serializer):
    answers = serializers.DictField(help_text="Answers by the XLSForm's question names.")
    version = serializers.IntegerField(help_text="The version you read; a stale one gets 409.")
    submit = serializers.BooleanField(
        default=False, help_text="Check in full, score and make final; otherwise a draft."
    )


class AttachmentUploadSerializer(Serializer):
    question = serializers.CharField(help_text="The image, audio or file question it answers.")
    file = serializers.FileField(help_text="The photo, recording or document.")


class AttachmentSerializer(Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField()
    name = serializers.CharField(help_text="What the answer names: put it in the answers.")
    content_type = serializers.CharField(help_text="Read from the file's bytes.")
    size = serializers.IntegerField()


class AnswerProblemSerializer(Serializer):
    question = serializers.CharField()
    message = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)


class SavedSerializer(Serializer):
    assessment = AssessmentSerializer()
    submitted = serializers.BooleanField()
    problems = AnswerProblemSerializer(many=True)


class DefinitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Assessment forms: Haven's own and the caller's agency's, every version."""

    serializer_class = DefinitionSerializer
    # Read by those who fill forms and by those who publish them.
    required_perms = {
        "*": ("case.view", "assessment.forms"),
        "create": "assessment.forms",
        "import_responses": "assessment.fill",
    }
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["form_id", "retired"]

    def get_queryset(self):
        return selectors.definitions_for(self.request.user).order_by("form_id", "-version")

    @extend_schema(
        request={"multipart/form-data": DefinitionUploadSerializer},
        responses={201: DefinitionSerializer},
        description=(
            "Publish an XLSForm as the next version of its form (by form_id) in your agency. "
            "A form with problems is refused with a 400 listing each one with its sheet, row "
            "and column; nothing is stored."
        ),
    )
    def create(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": ["Attach the XLSForm file as 'file'."]}, status=400)
        if upload.size > actions.MAX_FORM_BYTES:
            return Response({"file": ["The file is larger than 5 MB."]}, status=400)
        definition = actions.publish_definition(
            request.user,
            upload.read(),
            upload.name,
            media=actions.media_of(request.FILES.getlist("media")),
        )
        return Response(DefinitionSerializer(definition).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses=ImportResultSerializer,
        description=(
            "Record responses collected elsewhere (a KoboToolbox or ODK export, CSV or "
            "JSON, answers named as in the XLSForm, group prefixes allowed) as submitted "
            "assessments of this form version. Each response names its case in a "
            "haven_case column and is checked like a submission, on its own: the answer "
            "lists each row as created (201) or refused with its reasons."
        ),
    )
    @action(detail=True, methods=["post"], url_path="import")
    def import_responses(self, request, pk=None):
        definition = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": ["Attach the export as 'file'."]}, status=400)
        if upload.size > actions.MAX_FORM_BYTES:
            return Response({"file": ["The file is larger than 5 MB."]}, status=400)
        options = ImportUploadSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        try:
            parsed = imports.read(definition.parsed(), upload.read(), upload.name)
        except imports.UnreadableFile as exc:
            return Response({"file": [str(exc)]}, status=400)
        preview = options.validated_data["preview"]
        counts = actions.import_counts(request.user, definition, parsed)
        results = [] if preview else actions.import_responses(request.user, definition, parsed)
        created = sum(1 for r in results if r["status"] == 201)
        unchanged = sum(1 for r in results if r["status"] == 200)
        return Response(
            {
                "preview": preview,
                "rows": len(parsed.rows),
                **counts,
                "columns": [
                    {
                        "column": name,
                        "read_as": column.kind,
                        "question": column.question,
                        "option": column.option,
                    }
                    for name, column in parsed.columns.items()
                ],
                "created": created,
                "unchanged": unchanged,
                "refused": len(results) - created - unchanged,
                "ignored_columns": parsed.ignored,
                "results": results,
            }
        )


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Assessments of the cases in the caller's scope."""

    serializer_class = AssessmentSerializer
    required_perms = {
        "*": "case.view",
        "create": "assessment.fill",
        "answers": "assessment.fill",
        "recompute": "assessment.fill",
        "schedule": "assessment.fill",
        "attachments": "assessment.fill",
    }
    filterset_fields = ["case", "status"]

    def get_queryset(self):
        return (
            selectors.visible_assessments(self.request.user)
            .select_related("definition", "scored_with")
            .order_by("-created_at", "-id")
        )

    def get_serializer_class(self):
        return AssessmentSummarySerializer if self.action == "list" else AssessmentSerializer

    @extend_schema(parameters=[OpenApiParameter("case", int), OpenApiParameter("status", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        assessment = self.get_object()
        record_access(request.user, "assessment.detail", assessment)
        return Response(self.get_serializer(assessment).data)

    @extend_schema(request=StartSerializer, responses={201: AssessmentSerializer})
    def create(self, request):
        payload = StartSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        case = case_selectors.get_case(request.user, payload.validated_data["case"])
        definition = selectors.get_definition(request.user, payload.validated_data["definition"])
        assessment = actions.start(request.user, case, definition)
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ScheduleSerializer,
        responses={201: AssessmentSerializer(many=True)},
        description="Plan rounds of a form ahead: one draft per date, a task of the case "
        "until it is submitted, overdue after its date.",
    )
    @action(detail=False, methods=["post"])
    def schedule(self, request):
        payload = ScheduleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        case = case_selectors.get_case(request.user, data["case"])
        definition = selectors.get_definition(request.user, data["definition"])
        rounds = actions.schedule(request.user, case, definition, data["due"])
        return Response(AssessmentSerializer(rounds, many=True).data, status=201)

    @extend_schema(
        request=AnswersSerializer,
        responses={
            200: SavedSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=(
                    "Refused: a submission's problems by question (the body of a 200, with "
                    "`submitted` false), or the request's fields to correct."
                ),
            ),
        },
        description=(
            "Save the answers as the draft; with submit, also check them in full and score "
            "them. A refused submission answers 400 with each problem by question, and the "
            "answers stay saved as the draft."
        ),
    )
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        assessment = self.get_object()
        payload = AnswersSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        saved = actions.save(
            request.user, assessment, data["answers"], data["version"], submit=data["submit"]
        )
        body = {
            "assessment": AssessmentSerializer(saved.assessment).data,
            "submitted": saved.submitted,
            "problems": [p.__dict__ for p in saved.problems],
        }
        return Response(body, status=400 if saved.problems else 200)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
        description=(
            "Attach a photo, recording or document to a draft, for one of its image, audio "
            "or file questions; then save the answers with the `name` it answers with. The "
            "type is read from the bytes; a file of the same name is replaced."
        ),
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        assessment = self.get_object()
        payload = AttachmentUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        stored = media.receive(
            request.user,
            assessment,
            payload.validated_data["question"],
            upload.name,
            upload.read(media.max_bytes() + 1),
        )
        return Response(AttachmentSerializer(stored).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def recompute(self, request, pk=None):
        assessment = actions.recompute(request.user, self.get_object())
        return Response(AssessmentSerializer(assessment).data)
