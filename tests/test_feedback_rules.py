"""The pure rules of feedback: tracking codes, deadlines and escalation timing."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haven.feedback import codes, deadlines, escalation
from haven.feedback.models import Category, Priority

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
GRACE = timedelta(hours=48)


def test_codes_have_eighty_bits_from_an_unambiguous_alphabet():
    assert codes.ENTROPY_BITS == 80
    drawn = {codes.new_code() for _ in range(500)}
    assert len(drawn) == 500
    for code in drawn:
        assert len(code) == 16 and set(code) <= set(codes.ALPHABET)
        assert not set(code) & set("ILOU")


@given(st.text(alphabet=codes.ALPHABET, min_size=16, max_size=16))
def test_a_code_is_read_back_however_it_is_typed(code):
    shown = codes.display(code)
    assert codes.normalise(shown) == code
    assert codes.normalise(f"  {shown.lower()} ") == code
    assert codes.normalise(shown.replace("-", " ")) == code


def test_misread_letters_are_read_as_digits_and_bad_codes_are_refused():
    assert codes.normalise("O000-0000-0000-000I") == "0000000000000001"
    assert codes.normalise("K7QM-2XPD") is None
    assert codes.normalise("K7QM-2XPD-9HRT-4VW!") is None
    assert codes.normalise("") is None


def test_only_a_digest_is_kept_and_it_is_stable():
    code = codes.new_code()
    assert codes.digest(code) == codes.digest(code)
    assert code not in codes.digest(code) and len(codes.digest(code)) == 64


@pytest.mark.parametrize(
    ("category", "priority", "ack_hours", "resolve_days"),
    [
        (Category.MISCONDUCT, Priority.NORMAL, 24, 30),
        (Category.MISCONDUCT, Priority.URGENT, 6, 7.5),
        (Category.FEEDBACK, Priority.NORMAL, 168, 30),
        (Category.FEEDBACK, Priority.LOW, 168, 30),
        (Category.SERVICE_COMPLAINT, Priority.HIGH, 36, 7),
        (Category.INFORMATION, Priority.NORMAL, 72, 7),
    ],
)
def test_deadlines_follow_category_and_priority(category, priority, ack_hours, resolve_days):
    due = deadlines.deadlines(T0, priority, deadlines.DEFAULTS[category])
    assert due.acknowledge_by == T0 + timedelta(hours=ack_hours)
    assert due.resolve_by == T0 + timedelta(days=resolve_days)


def _submission(status="received", acknowledged_at=None, ack_hours=24, resolve_days=30):
    return SimpleNamespace(
        status=status,
        acknowledged_at=acknowledged_at,
        acknowledge_due_at=T0 + timedelta(hours=ack_hours),
        resolve_due_at=T0 + timedelta(days=resolve_days),
    )


@pytest.mark.parametrize(
    ("hours_later", "level"),
    [(0, 0), (23.9, 0), (24, 1), (71.9, 1), (72, 2), (500, 2)],
)
def test_an_unacknowledged_submission_escalates_on_the_clock(hours_later, level):
    now = T0 + timedelta(hours=hours_later)
    assert escalation.level_due(_submission(), now, GRACE) == level


def test_acknowledged_in_time_it_escalates_only_past_the_resolution_deadline():
    s = _submission(status="acknowledged", acknowledged_at=T0 + timedelta(hours=2))
    assert escalation.level_due(s, T0 + timedelta(days=29), GRACE) == 0
    assert escalation.level_due(s, T0 + timedelta(days=30), GRACE) == 1
    assert escalation.level_due(s, T0 + timedelta(days=32), GRACE) == 2


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_resolved_and_closed_never_escalate(status):
    s = _submission(status=status)
    assert escalation.level_due(s, T0 + timedelta(days=400), GRACE) == 0
    assert not escalation.is_overdue(s, T0 + timedelta(days=400))


@given(st.floats(min_value=0, max_value=2000), st.floats(min_value=0, max_value=2000))
def test_escalation_never_goes_down_as_time_passes(first, second):
    early, late = sorted([first, second])
    s = _submission()
    assert escalation.level_due(s, T0 + timedelta(hours=early), GRACE) <= escalation.level_due(
        s, T0 + timedelta(hours=late), GRACE
    )
