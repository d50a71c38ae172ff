"""Files answering a form's `image`, `audio`, `video` and `file` questions: received with a
draft, checked (size, and type read from the bytes, never from the name the device gave),
stored encrypted, and named in the answers as ODK names them (the file's name).

A response refers to its files by name; on submission every file an answer names must have
arrived (`missing`)."""

import copy
import hashlib
import re

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.assessments.models import Assessment, AssessmentStatus, Attachment
from haven.audit.actions import audited, record_event
from haven.core.errors import HavenError, NotAllowed
from haven.scoring.answer_checks import AnswerProblem
from haven.scoring.xlsform import Form

MEDIA_TYPES = {"image", "audio", "video", "file"}
MAX_PER_RESPONSE = 20
_IMAGES = {"image/jpeg", "image/png", "image/webp", "image/gif", "image/heic", "image/avif"}
# Browsers record audio as WebM or Ogg; phones as MP4 (M4A), AMR, AAC or 3GP.
_AUDIO = {"audio/mpeg", "audio/mp4", "audio/ogg", "audio/x-wav", "audio/amr", "audio/aac"}
_AUDIO |= {"audio/x-flac", "video/webm", "video/3gpp"}
_DOCUMENTS = {
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}
_VIDEO = {"video/mp4", "video/webm", "video/3gpp", "video/quicktime"}
ACCEPTED = {
    "image": _IMAGES,
    "audio": _AUDIO,
    "video": _VIDEO,
    "file": _IMAGES | _AUDIO | _DOCUMENTS,
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def max_bytes() -> int:
    return settings.HAVEN_ATTACHMENT_MAX_BYTES


def safe_name(name: str) -> str:
    """The file's name as it may appear in an answer and a download: letters, digits, `.`,
    `_` and `-`, at most 100 characters, never starting with a dot."""
    cleaned = _UNSAFE.sub("_", (name or "").rsplit("/", 1)[-1]).strip("._") or "file"
    stem, dot, extension = cleaned.rpartition(".")
    if dot and len(extension) <= 10:
        return f"{stem[: 99 - len(extension)]}.{extension}"
    return cleaned[:100]


def sniffed(data: bytes) -> str:
    """The content type the bytes show ("" when they show none Haven knows)."""
    kind = filetype.guess(data[:8192])
    return kind.mime if kind else ""


@audited
def receive(user, assessment: Assessment, question: str, name: str, data: bytes) -> Attachment:
    """Keep `data` as the file `name` answering `question` of a draft; a file of the same
    name is replaced (a photo taken again). HavenError says what to change."""
    if not policy.can_case(user, "assessment.fill", assessment.case):
        raise NotAllowed(_("Your role does not allow filling assessments for this case."))
    if assessment.status != AssessmentStatus.DRAFT:
        raise HavenError(_("This assessment was submitted already; its files are final."))
    form = assessment.definition.parsed()
    kind = getattr(form.question(question), "type", "")
    if kind not in MEDIA_TYPES:
        raise HavenError(
            _("“%(q)s” is not a photo, recording or file question of this form.") % {"q": question},
            field="question",
        )
    if not data:
        raise HavenError(_("The file is empty."), field="file")
    if len(data) > max_bytes():
        raise HavenError(
            _("The file is %(size)s MB; a file may be at most %(limit)s MB.")
            % {"size": f"{len(data) / 1_048_576:.1f}", "limit": max_bytes() // 1_048_576},
            field="file",
        )
    content_type = sniffed(data)
    if content_type not in ACCEPTED[kind]:
        raise HavenError(_wrong_type(kind, content_type), field="file")
    name = safe_name(name)
    existing = assessment.attachments.filter(name=name).first()
    if existing is None and assessment.attachments.count() >= MAX_PER_RESPONSE:
        raise HavenError(
            _("A response may hold at most %(n)s files.") % {"n": MAX_PER_RESPONSE}, field="file"
        )
    attachment = existing or Attachment(assessment=assessment, name=name)
    attachment.question = question
    attachment.content_type = content_type
    attachment.size = len(data)
    attachment.sha256 = hashlib.sha256(data).hexdigest()
    attachment.data = data
    attachment.uploaded_by = user
    attachment.save()
    record_event(
        user,
        "assessment.attachment",
        obj=assessment,
        agency_id=assessment.case.agency_id,
        details={"question": question, "type": content_type, "size": len(data)},
    )
    return attachment


def _wrong_type(kind: str, found: str) -> str:
    what = found or _("not a type Haven recognises")
    if kind == "image":
        return _("This is not a photo (JPEG, PNG, WebP, GIF, HEIC or AVIF): %(t)s.") % {"t": what}
    if kind == "video":
        return _("This is not a film (MP4, WebM, 3GP or QuickTime): %(t)s.") % {"t": what}
    if kind == "audio":
        return _(
            "This is not a recording (MP3, M4A, Ogg, WAV, AMR, AAC, FLAC, WebM or 3GP): %(t)s."
        ) % {"t": what}
    return _(
        "This file's type is not accepted (photos, recordings, PDF and office documents): %(t)s."
    ) % {"t": what}


def _media_answers(form: Form, values: dict, entry: int | None = None):
    """(the dict holding it, question, file name, entry) for each photo, recording or file
    answer, in repeats too."""
    for key, value in values.items():
        question = form.question(key)
        if question is None:
            continue
        if question.type == "repeat" and isinstance(value, list):
            for number, item in enumerate(value, 1):
                if isinstance(item, dict):
                    yield from _media_answers(form, item, number)
        elif question.type in MEDIA_TYPES and value not in (None, ""):
            yield values, key, str(value), entry


def named_files(form: Form, answers: dict) -> list[tuple[str, str, int | None]]:
    """(question, file name, entry) for every photo, recording or file answer."""
    return [(key, name, entry) for _holder, key, name, entry in _media_answers(form, answers)]


def missing(assessment: Assessment, form: Form, answers: dict) -> list[AnswerProblem]:
    """A problem for each file an answer names that Haven never received."""
    received = set(assessment.attachments.values_list("name", flat=True))
    return [
        AnswerProblem(question, f"The file {name} was not received: attach it again.", entry)
        for question, name, entry in named_files(form, answers)
        if name not in received
    ]


def normalised(form: Form, answers: dict) -> dict:
    """The answers with each file named as Haven keeps it (see safe_name)."""
    renamed = copy.deepcopy(answers)
    for holder, key, name, _entry in list(_media_answers(form, renamed)):
        holder[key] = safe_name(name)
    return renamed


def receive_named(user, assessment: Assessment, answers: dict, files) -> None:
    """Files sent with an instance (`files`: (name, bytes)): each kept for the question
    whose answer names it; a file no answer names is refused."""
    form = assessment.definition.parsed()
    wanted = {name: question for question, name, _entry in named_files(form, answers)}
    for name, data in files:
        question = wanted.get(safe_name(name))
        if question is None:
            raise HavenError(
                _("No answer names the file %(name)s: attach it to a question.")
                % {"name": safe_name(name)},
                field="file",
            )
        receive(user, assessment, question, name, data)


def receive_each(user, assessment: Assessment, answers: dict, files) -> list[AnswerProblem]:
    """As `receive_named`, for files that arrive with no one to ask again (a device's, at
    sync): every file is tried, and each one refused becomes a problem of its question
    rather than stopping the others."""
    form = assessment.definition.parsed()
    wanted = {name: (question, entry) for question, name, entry in named_files(form, answers)}
    problems = []
    for name, data in files:
        question, entry = wanted.get(safe_name(name), ("", None))
        try:
            if not question:
                raise HavenError(_("No answer names this file: attach it to a question."))
            receive(user, assessment, question, name, data)
        except HavenError as exc:
            problems.append(AnswerProblem(question, f"{safe_name(name)}: {exc}", entry))
    return problems


def discard_unnamed(assessment: Assessment, form: Form, answers: dict) -> None:
    """Files no answer names any more (a photo taken again under another name) are not
    kept past the submission."""
    named = {name for _question, name, _entry in named_files(form, answers)}
    assessment.attachments.exclude(name__in=named).delete()
