"""What the apps above cases add to the case page and the dashboard.

Cases knows none of them: each app registers here in its AppConfig.ready() — the context a
tab of the case page needs, what the dashboard shows, how a registration finds likely
duplicates — and the case views ask this registry.
"""

from collections.abc import Callable

TabContext = Callable[..., dict]  # (user, case) -> names for the tab's template
DashboardPart = Callable[..., dict]  # (user) -> names for the dashboard's template
# (user, person data) -> likely duplicates, as the registration page shows them (false when
# there are none)
DuplicateFinder = Callable[..., object]

_tabs: dict[str, list[TabContext]] = {}
_dashboard: list[DashboardPart] = []
_duplicate_finder: list[DuplicateFinder] = []  # one at most


def add_to_tab(tab: str, context: TabContext) -> None:
    if context not in _tabs.setdefault(tab, []):
        _tabs[tab].append(context)


def add_to_dashboard(part: DashboardPart) -> None:
    if part not in _dashboard:
        _dashboard.append(part)


def set_duplicate_finder(finder: DuplicateFinder) -> None:
    _duplicate_finder[:] = [finder]


def tab_context(tab: str, user, case) -> dict:
    out: dict = {}
    for context in _tabs.get(tab, []):
        out.update(context(user, case))
    return out


def dashboard_context(user) -> dict:
    out: dict = {}
    for part in _dashboard:
        out.update(part(user))
    return out


def likely_duplicates(user, person: dict):
    """What the registered finder says; None when no app looks for duplicates."""
    return _duplicate_finder[0](user, person) if _duplicate_finder else None
