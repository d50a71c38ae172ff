"""The public pages, as a person (or a script) uses them: no account, no JavaScript."""

import re

import pytest
from django.db import OperationalError, connection
from django.test import Client

from haven.audit.models import AuditEvent
from haven.feedback import actions, codes
from haven.feedback.models import Submission

QUESTION = re.compile(r"<label for=\"id_answer\">\D*(\d+)\D+(\d+)")
TOKEN = re.compile(r'name="token" value="([^"]+)"')
CODE = re.compile(r'<p class="code"[^>]*>([0-9A-Z-]+)</p>')


@pytest.fixture(autouse=True)
def _no_wait(settings):
    settings.HAVEN_FEEDBACK_MIN_SECONDS = 0


@pytest.fixture
def agency(db):
    from haven.accounts.models import Agency

    return Agency.objects.create(code="aa", name="Agency A")


def fresh_form(client, path="/feedback/"):
    page = client.get(path, HTTP_HOST="localhost")
    assert page.status_code == 200
    html = page.content.decode()
    a, b = QUESTION.search(html).groups()
    return {"token": TOKEN.search(html).group(1), "answer": str(int(a) + int(b))}


def send(client, **fields):
    data = {
        **fresh_form(client),
        "agency": "aa",
        "category": "service_complaint",
        "text": "The clinic turned my daughter away",
        **fields,
    }
    return client.post("/feedback/", data, HTTP_HOST="localhost")


def test_the_form_is_small_and_needs_no_script(agency):
    page = Client().get("/feedback/", HTTP_HOST="localhost")
    html = page.content.decode()
    assert "<script" not in html
    css = Client().get("/static/haven/haven.css", HTTP_HOST="localhost")
    assert len(page.content) + len(b"".join(css.streaming_content)) < 100_000
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]
    for label in ["Feedback or suggestion", "Complaint about a service", "misconduct by staff"]:
        assert label in html


def test_a_message_is_acknowledged_with_a_working_code_after_it_is_stored(agency):
    client = Client()
    response = send(client, contact="salma@example.org", consent_to_contact="on")
    assert response.status_code == 201
    code = CODE.search(response.content.decode()).group(1)
    stored = Submission.objects.get()
    assert stored.tracking_digest == codes.digest(codes.normalise(code))
    assert stored.contact == "salma@example.org" and stored.language == "en"
    event = AuditEvent.objects.get(action="feedback.submitted")
    assert (event.ip, event.channel, event.actor) == ("", "public", None)
    status = client.post("/feedback/status/", {"code": code.lower()}, HTTP_HOST="localhost")
    assert status.status_code == 200 and "Received" in status.content.decode()


def test_the_page_in_arabic_is_right_to_left(agency):
    client = Client()
    client.post("/i18n/setlang/", {"language": "ar", "next": "/feedback/"}, HTTP_HOST="localhost")
    html = client.get("/feedback/", HTTP_HOST="localhost").content.decode()
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "أرسل" in html  # "Send"
    response = send(client)
    assert response.status_code == 201 and Submission.objects.get().language == "ar"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"category": "gossip"}, "Select a valid choice"),
        ({"text": ""}, "Write your message."),
        ({"text": "x" * 5001}, "at most 5000 characters"),
        ({"answer": "99"}, "That answer is not right"),
        ({"answer": "seven"}, "That answer is not right"),
        ({"token": "forged"}, "That answer is not right"),
        ({"consent_to_contact": "on"}, "Give a phone number or an email address"),
    ],
)
def test_bad_input_is_refused_clearly_and_keeps_what_was_written(agency, fields, message):
    response = send(Client(), place="Camp 3, block C", **fields)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html.replace("&#x27;", "'")
    assert "Camp 3, block C" in html  # what was written is still there
    assert QUESTION.search(html)  # with a new question
    assert not Submission.objects.exists()


def test_arabic_indic_digits_answer_the_question(agency):
    client = Client()
    form = fresh_form(client)
    arabic = "".join(chr(0x0660 + int(d)) for d in form["answer"])
    data = {**form, "answer": arabic, "agency": "aa", "category": "feedback", "text": "شكرا"}
    assert client.post("/feedback/", data, HTTP_HOST="localhost").status_code == 201


def test_a_filled_honeypot_is_refused_without_a_false_acknowledgement(agency):
    response = send(Client(), website="http://spam.example")
    assert response.status_code == 400
    assert "could not be sent" in response.content.decode()
    assert not Submission.objects.exists()


def test_a_form_posted_at_once_is_refused(agency, settings):
    settings.HAVEN_FEEDBACK_MIN_SECONDS = 30
    assert send(Client()).status_code == 400
    assert not Submission.objects.exists()


def test_a_form_sent_twice_is_stored_once(agency):
    client = Client()
    data = {
        **fresh_form(client),
        "agency": "aa",
        "category": "feedback",
        "text": "Thank you for the blankets",
    }
    assert client.post("/feedback/", data, HTTP_HOST="localhost").status_code == 201
    again = client.post("/feedback/", data, HTTP_HOST="localhost")
    assert again.status_code == 409 and "already received" in again.content.decode()
    assert Submission.objects.count() == 1


def test_a_flood_from_one_address_is_stopped_and_loses_nothing_stored(agency, settings):
    settings.HAVEN_FEEDBACK_SUBMIT_LIMIT = 3
    client = Client()
    assert [send(client).status_code for _ in range(3)] == [201, 201, 201]
    stopped = send(client)
    assert stopped.status_code == 429 and "Too many attempts" in stopped.content.decode()
    assert Submission.objects.count() == 3
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert send(other).status_code == 201


def test_an_oversized_request_is_refused_with_a_message(agency, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = send(Client(), text="x" * 20_000)
    assert response.status_code == 413 and "too large" in response.content.decode()
    assert not Submission.objects.exists()


def test_a_database_failure_never_shows_a_success_page(agency):
    def refuse_the_insert(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "feedback_submission"'):
            raise OperationalError("the disk is full")
        return execute(sql, params, many, context)

    client = Client()
    form = fresh_form(client)
    data = {**form, "agency": "aa", "category": "misconduct", "text": "He hit me"}
    with connection.execute_wrapper(refuse_the_insert):
        response = client.post("/feedback/", data, HTTP_HOST="localhost")
    html = response.content.decode()
    assert response.status_code == 503
    assert "NOT received" in html and "tracking code" not in html.lower()
    assert not Submission.objects.exists()
    assert not AuditEvent.objects.filter(action="feedback.submitted").exists()


def test_a_wrong_code_reveals_nothing(agency):
    client = Client()
    actions.submit_public(agency, category="feedback", text="x")
    answers = [
        client.post("/feedback/status/", {"code": typed}, HTTP_HOST="localhost")
        for typed in [codes.display(codes.new_code()), "short", "", "<script>"]
    ]
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    bodies = {csrf.sub("", a.content.decode()) for a in answers}
    assert {a.status_code for a in answers} == {404}
    assert len(bodies) == 1 and "No message matches this code" in bodies.pop()


def test_status_checks_are_rate_limited(agency, settings):
    settings.HAVEN_FEEDBACK_STATUS_LIMIT = 2
    client = Client()
    codes_tried = [codes.display(codes.new_code()) for _ in range(3)]
    got = [
        client.post("/feedback/status/", {"code": c}, HTTP_HOST="localhost").status_code
        for c in codes_tried
    ]
    assert got == [404, 404, 429]


def test_the_person_reads_the_answer_and_rates_it(world):
    focal = world["feedback_focal"]
    submission, code = actions.submit_public(world["a"], category="information", text="Lawyer?")
    actions.resolve(focal, submission, resolution="", answer="Come on Tuesday at 10.", version=1)
    client = Client()
    page = client.post("/feedback/status/", {"code": code}, HTTP_HOST="localhost")
    html = page.content.decode()
    assert "Come on Tuesday at 10." in html and "Lawyer?" not in html
    rated = client.post(
        "/feedback/status/", {"code": code, "satisfaction": "5"}, HTTP_HOST="localhost"
    )
    assert "Thank you for your rating." in rated.content.decode()
    assert Submission.objects.get().satisfaction == 5
