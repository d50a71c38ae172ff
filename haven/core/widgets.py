"""Form widgets every app's pages share."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's own date picker."""

    input_type = "date"
