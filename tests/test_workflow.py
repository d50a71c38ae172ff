import pytest

from haven.cases.workflow import TRANSITIONS, Status, check_transition, next_statuses
from haven.core.errors import InvalidTransition


def test_every_status_has_transitions_and_targets_are_statuses():
    assert set(TRANSITIONS) == set(Status.values)
    for targets in TRANSITIONS.values():
        assert set(targets) <= set(Status.values)


def test_the_main_path_is_allowed():
    path = [
        "registered",
        "assessment",
        "case_plan",
        "implementation",
        "follow_up",
        "closed",
        "reopened",
    ]
    for current, target in zip(path, path[1:], strict=False):
        check_transition(current, target)


def test_illegal_transition_names_the_possible_ones():
    with pytest.raises(InvalidTransition) as exc:
        check_transition("registered", "follow_up")
    message = exc.value.message
    assert "Registered" in message and "Follow-up" in message
    assert "Assessment" in message and "Closed" in message


def test_closed_case_can_only_be_reopened():
    assert next_statuses("closed") == ("reopened",)
    with pytest.raises(InvalidTransition):
        check_transition("closed", "implementation")


def test_unknown_status_is_refused():
    with pytest.raises(InvalidTransition, match="not a case status"):
        check_transition("registered", "archived")
