"""The one registry of hooks: how a lower app announces what happened and a higher app
does its part, without the lower one importing it (docs/architecture.md, "Layers").

An announcing app names its events where it announces them; a subscribing app subscribes
in its `AppConfig.ready()`. Receivers run in the announcer's transaction, in the order
they subscribed; a refusal they raise refuses the whole action.

Events:
- `PERSON_CHANGED` (people): a person's details or tracing consent changed; receives
  `person_id`. Tracing queues the refresh of its matches.
- `CONSENT_WITHDRAWN` (people): a person withdrew their consent for a purpose; receives
  `user`, `person_id`, `purpose`. Assistance removes what pending referrals shared.
- `APPROVAL_DECIDED` (cases): a supervisor decided an approval of a kind cases does not
  handle itself; receives `user`, `approval`, `approve`. Assessments signs off.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

PERSON_CHANGED = "person.changed"
APPROVAL_DECIDED = "approval.decided"
CONSENT_WITHDRAWN = "consent.withdrawn"

_receivers: defaultdict[str, list[Callable[..., Any]]] = defaultdict(list)


def subscribe(event: str, receiver: Callable[..., Any]) -> None:
    """Call `receiver(**details)` on every announcement of `event` (once, however often
    an app's `ready()` runs)."""
    if receiver not in _receivers[event]:
        _receivers[event].append(receiver)


def announce(event: str, **details: Any) -> None:
    for receiver in _receivers[event]:
        receiver(**details)


def subscribers(event: str) -> list[Callable[..., Any]]:
    return list(_receivers[event])
