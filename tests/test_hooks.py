"""The registry through which a lower app announces what happened (core/hooks.py)."""

from collections import defaultdict

from haven.core import hooks


def test_a_receiver_subscribed_twice_runs_once_in_order(monkeypatch):
    monkeypatch.setattr(hooks, "_receivers", defaultdict(list))
    heard = []
    first = lambda **details: heard.append(("first", details))  # noqa: E731
    second = lambda **details: heard.append(("second", details))  # noqa: E731
    hooks.subscribe("thing.done", first)
    hooks.subscribe("thing.done", second)
    hooks.subscribe("thing.done", first)
    hooks.announce("thing.done", n=1)
    hooks.announce("nobody.listens", n=2)
    assert heard == [("first", {"n": 1}), ("second", {"n": 1})]


def test_the_apps_subscribe_when_they_start():
    from haven.assessments.actions import decide_sign_off
    from haven.tracing.tasks import queue_person_matches_refresh

    assert hooks.subscribers(hooks.PERSON_CHANGED) == [queue_person_matches_refresh]
    assert hooks.subscribers(hooks.APPROVAL_DECIDED) == [decide_sign_off]
