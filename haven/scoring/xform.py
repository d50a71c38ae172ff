"""A form as the XForm engines read it, and answers to and from an XForm instance.

The offline app and the fill page run ODK Web Forms, which reads the XForm that pyxform
makes from the published XLSForm and answers with an instance document (the XML an ODK
tool submits). Haven keeps answers keyed by the XLSForm's names (groups do not nest them,
a repeat is a list of dicts), so an instance is read into that shape here, and a draft is
written back into the XForm's own blank instance so the engine can go on from it.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET  # noqa: S405 - only builds and writes; parsing is defused
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from haven.scoring.answer_types import typed
from haven.scoring.xlsform import Form, Question

XFORMS = "http://www.w3.org/2002/xforms"
JAVAROSA = "http://openrosa.org/javarosa"
_TEMPLATE = f"{{{JAVAROSA}}}template"
ORX = "http://openrosa.org/xforms"
# An instance is a questionnaire, not a file store: a bound well above any real form.
MAX_INSTANCE_BYTES = 2_000_000


def _(text: str) -> str:
    """Marks a message for translation; the caller translates it (this module has no Django)."""
    return text


class InstanceError(ValueError):
    """An instance that cannot be read as answers to this form: the message says why, as
    an English template and its values, for the caller to translate."""

    def __init__(self, template: str, **values):
        self.template, self.values = template, values
        super().__init__(template % values if values else template)


def xform_of(data: bytes, filename: str = "") -> str:
    """The XForm pyxform makes from an XLSForm that `xlsform_reader.load` has accepted
    (`filename` as it was loaded: it names a form whose settings give no form_id)."""
    from haven.scoring.workbook import pyxform_convert

    return pyxform_convert(data, filename).xform


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _blank_instance(xform: str) -> ET.Element:
    """The primary instance's root element: the first <instance> of the model."""
    root = SafeET.fromstring(xform.encode())
    for element in root.iter(f"{{{XFORMS}}}instance"):
        if "id" not in element.attrib:
            return next(iter(element))
    raise InstanceError(_("The form has no primary instance."))


def read_instance(form: Form, form_id: str, xml: str | bytes) -> tuple[dict, str]:
    """(answers, instance id) from an instance document filled for `form_id`."""
    data = xml.encode() if isinstance(xml, str) else xml
    if len(data) > MAX_INSTANCE_BYTES:
        raise InstanceError(_("The answers are too large to be a questionnaire."))
    try:
        root = SafeET.fromstring(data)
    except DefusedXmlException as exc:  # entities, DTDs: what XML bombs are made of
        raise InstanceError(_("The answers hold XML that Haven does not read.")) from exc
    except (ET.ParseError, ValueError) as exc:
        raise InstanceError(
            _("The answers are not a readable XForm instance: %(e)s"), e=str(exc)
        ) from exc
    if root.get("id") != form_id:
        raise InstanceError(
            _("These answers were filled for the form '%(got)s', not '%(want)s'."),
            got=root.get("id") or "",
            want=form_id,
        )
    answers: dict = {}
    instance_id = ""
    index = form.index()
    for child in root:
        name = _local(child.tag)
        if name == "meta":
            for item in child:
                if _local(item.tag) == "instanceID":
                    instance_id = (item.text or "").strip()
            continue
        _read_into(answers, child, index)
    return answers, instance_id[:100]


def _read_into(answers: dict, element: ET.Element, index: dict[str, Question]) -> None:
    question = index.get(_local(element.tag))
    if question is None:
        return  # device metadata (start, end, …) and anything the form does not name
    if question.type == "group":
        for child in element:
            _read_into(answers, child, index)
    elif question.type == "repeat":
        if element.get(_TEMPLATE) is not None:
            return
        instance: dict = {}
        for child in element:
            _read_into(instance, child, index)
        answers.setdefault(question.name, []).append(instance)
    elif question.has_value:
        # Calculations too: one set by a trigger or made once() keeps the engine's value.
        text = (element.text or "").strip()
        if text:
            answers[question.name] = typed(question.type, text)


def write_instance(form: Form, xform: str, answers: dict, instance_id: str = "") -> str:
    """The XForm's blank instance with `answers` written in, for the engine to go on from."""
    blank = _blank_instance(xform)
    filled = _fill(blank, answers, form.index())
    if instance_id:
        for meta in filled:
            if _local(meta.tag) == "meta":
                for item in meta:
                    if _local(item.tag) == "instanceID":
                        item.text = instance_id
    return _xml(filled, top=True)


def _fill(template: ET.Element, answers: dict, index: dict[str, Question]) -> ET.Element:
    out = ET.Element(template.tag, dict(template.attrib))
    out.text = template.text
    repeats_written: set[str] = set()
    for child in template:
        name = _local(child.tag)
        question = index.get(name)
        if question is not None and question.type == "repeat":
            if child.get(_TEMPLATE) is not None:
                # An instance holds entries only, as ODK submits them: the engine takes a
                # repeat's template from the form, and would count one left here as an
                # entry (a repeat with a count then loses its last entry).
                continue
            if name in repeats_written:
                continue
            repeats_written.add(name)
            instances = answers.get(name)
            for instance in instances if isinstance(instances, list) else []:
                out.append(_fill(child, instance if isinstance(instance, dict) else {}, index))
            continue
        if question is not None and question.type == "group":
            out.append(_fill(child, answers, index))
            continue
        element = copy.deepcopy(child)
        if question is not None and question.has_value and name in answers:
            element.text = _as_text(answers[name])
        out.append(element)
    return out


_PREFIXES = {JAVAROSA: "jr", ORX: "orx"}


def _xml(element: ET.Element, top: bool = False) -> str:
    """Written with the XForm's own default namespace and prefixes (ElementTree would
    write ns0:, which the engine does not take for the form's nodes)."""
    attributes = []
    if top:
        attributes.append(f"xmlns={quoteattr(XFORMS)}")
        attributes += [f"xmlns:{p}={quoteattr(uri)}" for uri, p in _PREFIXES.items()]
    for key, value in element.attrib.items():
        uri, _sep, name = key[1:].partition("}") if key.startswith("{") else ("", "", key)
        prefix = _PREFIXES.get(uri)
        attributes.append(f"{prefix + ':' if prefix else ''}{name}={quoteattr(value)}")
    tag = _local(element.tag)
    head = " ".join([tag, *attributes])
    inner = escape(element.text or "") + "".join(_xml(child) for child in element)
    return f"<{head}>{inner}</{tag}>" if inner else f"<{head}/>"


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(value)
    return str(value)
