"""Driving ODK Web Forms in the browser: questions found by their label, as a person would."""

from playwright.sync_api import expect


def question(page, label: str):
    return page.locator(".question-container").filter(
        has=page.locator(".control-text label", has_text=label)
    )


def choose(page, label: str, value: str) -> None:
    question(page, label).locator(f'input[value="{value}"]').check(force=True)


def type_answer(page, label: str, value: str) -> None:
    field = question(page, label).locator("input, textarea").first
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
