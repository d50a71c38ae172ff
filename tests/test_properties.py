"""Property-based tests (hypothesis) for the pure parts: names, workflow, audit chain."""

from dataclasses import dataclass
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from haven.audit import chain
from haven.cases.workflow import TRANSITIONS, Status, check_transition
from haven.core.errors import InvalidTransition
from haven.linkage.normalise import ordered_key
from haven.people.names import fold, search_key

names = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Mn", "Zs")), max_size=30
)


@given(names)
def test_fold_is_idempotent_and_ignores_case(name):
    assert fold(fold(name)) == fold(name)
    assert fold(name.upper()) == fold(name.lower()) or not name.isascii()


@given(names, names)
def test_ordered_key_ignores_name_order(given_name, family_name):
    assert ordered_key(given_name, family_name) == ordered_key(family_name, given_name)


@given(names)
def test_search_key_contains_the_folded_name(name):
    assert fold(name) in search_key(name)


@given(st.sampled_from(Status.values), st.sampled_from(Status.values))
def test_a_transition_is_allowed_exactly_when_the_graph_has_the_edge(current, target):
    try:
        check_transition(current, target)
        allowed = True
    except InvalidTransition:
        allowed = False
    assert allowed == (target in TRANSITIONS[current])


def test_every_open_status_can_reach_closed():
    for start in Status.values:
        seen, frontier = {start}, [start]
        while frontier:
            for nxt in TRANSITIONS[frontier.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
        assert Status.CLOSED in seen or start == Status.CLOSED


@dataclass
class Record:
    """An audit record as the verifier sees it (the same attributes as the model)."""

    pk: int
    seq: int
    action: str
    details: dict
    prev_hash: str = ""
    hash: str = ""
    created_at: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    actor_id: int | None = None
    actor_username: str = ""
    agency_id: int | None = None
    object_type: str = ""
    object_id: str = ""
    ip: str = ""
    channel: str = "system"


KEY = "the audit key"


def build_chain(actions):
    records, prev = [], chain.GENESIS
    for i, action in enumerate(actions, start=1):
        record = Record(pk=i, seq=i, action=action, details={"n": i}, prev_hash=prev)
        record.hash = chain.compute_hash("audit_event", record, prev, KEY)
        prev = record.hash
        records.append(record)
    return records


actions_lists = st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=30)


@settings(max_examples=60)
@given(actions_lists, st.data())
def test_any_altered_record_is_named(actions, data):
    records = build_chain(actions)
    head = (records[-1].seq, records[-1].hash)
    assert chain.verify_records("audit_event", records, *head, KEY) == []
    victim = data.draw(st.integers(min_value=0, max_value=len(records) - 1))
    records[victim].details = {"n": -1}
    problems = chain.verify_records("audit_event", records, *head, KEY)
    assert [p.seq for p in problems] == [records[victim].seq]


@settings(max_examples=60)
@given(actions_lists, st.data())
def test_any_deleted_record_is_detected(actions, data):
    records = build_chain(actions)
    head = (records[-1].seq, records[-1].hash)
    victim = data.draw(st.integers(min_value=0, max_value=len(records) - 1))
    del records[victim]
    assert chain.verify_records("audit_event", records, *head, KEY) != []
