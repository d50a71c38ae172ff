"""The register of processing, made from the configuration and what was done: purposes and
legal bases, people, data, recipients, retention, security — as a page, a PDF and a CSV
whose cells cannot run as formulas; counts only, never a person."""

import csv
import io

import pytest
from django.test import Client
from pypdf import PdfReader

from haven.accounts.models import Agency
from haven.assistance.models import ServiceType
from haven.audit.models import AuditEvent
from haven.oversight import actions, processing_register
from tests.conftest import consented_referral, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(world, register):
    case = register(world["caseworker"], person={"given_name": "Amal"})
    Agency.objects.filter(pk=world["b"].pk).update(name='=HYPERLINK("http://x")')
    world["b"].refresh_from_db()
    consented_referral(
        world["caseworker"], case, ServiceType.objects.get(code="shelter"), to_agency=world["b"]
    )
    actions.create_rule(world["dpo"], kind="persons", programme="", after_days=1825)
    return case


def _rows(sections) -> dict[str, dict[str, str]]:
    return {s.title: dict(s.rows) for s in sections}


def test_the_register_says_purposes_recipients_retention_and_no_person(world, activity):
    sections = processing_register.register(world["a"])
    rows = _rows(sections)
    purposes = rows["Purposes and their legal bases"]
    assert purposes["Registration"] == "1 decisions recorded"
    assert purposes["Referral to services"] == "1 decisions recorded"
    assert purposes["Legal basis: Consent"] == "2 decisions rest on it"
    assert rows["Categories of people"]["Vulnerable migrant assistance"] == "1 cases"
    assert rows["Recipients"]["Agencies referred to"] == world["b"].name
    assert "after 1825 days" in rows["Retention"]["Anonymise persons after their last case closed"]
    assert "Notes" in rows["Categories of data"]
    assert all("Amal" not in value for s in sections for _l, value in s.rows)


def test_the_csv_neutralises_formulas_and_the_pdf_reads(world, activity):
    client = Client()
    sign_in(client, world["dpo"])
    page = client.get("/retention/register/")
    assert page.status_code == 200 and "Security measures" in page.content.decode()
    got = client.get("/retention/register/", {"format": "csv"})
    assert got["Content-Disposition"].endswith('register-of-processing.csv"')
    table = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    referred = [row for row in table if row[1] == "Agencies referred to"]
    assert referred[0][2].startswith("'=HYPERLINK")  # never run as a formula
    pdf = client.get("/retention/register/", {"format": "pdf"}).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Register of processing" in text and "Security measures" in text
    assert client.get("/retention/register/", {"format": "xml"}).status_code == 400
    assert AuditEvent.objects.filter(action="processing_register.export").count() == 2
