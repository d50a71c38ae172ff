"""Driving ODK Web Forms in the browser: questions found by their label, as a person would.

`scope` is the page, or a part of it such as a group (`group(page, "Gender-based violence")`)
when several questions share a label."""

from playwright.sync_api import expect


def _page(scope):
    return getattr(scope, "page", scope)


def group(page, title: str):
    """The innermost group whose header reads `title`."""
    header = page.locator(".p-panel-header", has_text=title)
    return page.locator(".p-panel").filter(has=header).last


def question(scope, label: str):
    return scope.locator(".question-container").filter(
        has=_page(scope).locator(".control-text label", has_text=label)
    )


def choose(scope, label: str, value: str) -> None:
    question(scope, label).locator(f'input[value="{value}"]').check(force=True)


def type_answer(scope, label: str, value: str) -> None:
    field = question(scope, label).locator("input, textarea").first
    # Typed key by key, as a person does: the number field reads keystrokes, not a pasted
    # value, and takes the number when the field is left.
    field.click()
    field.press("ControlOrMeta+a")
    field.press("Backspace")
    field.press_sequentially(value)
    field.press("Tab")


def wait_for_engine(page, selector: str) -> None:
    expect(page.locator(f"{selector} .form-initialization-status.ready")).to_be_attached(
        timeout=30000
    )


def open_in_engine(people, new_page, definition, **page_options):
    """A new response to `definition` for a new case of the caseworker, opened on a phone's
    screen in the form engine: (page, assessment)."""
    from haven.assessments import actions as assessment_actions
    from haven.cases import actions
    from tests.conftest import CASE, PERSON
    from tests.e2e.conftest import login

    case = actions.register(people["caseworker"], person=PERSON, case=CASE)
    assessment = assessment_actions.start(people["caseworker"], case, definition)
    page = new_page(width=360, height=800, **page_options)
    login(page, "alice")
    page.goto(f"/assessments/{assessment.pk}/")
    wait_for_engine(page, "#engine-form")
    return page, assessment
