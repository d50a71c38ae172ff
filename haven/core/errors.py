"""Domain errors raised by actions; the web and API layers turn them into messages."""


class HavenError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(HavenError):
    """The user's role or scope does not allow the action."""

    status_code = 403
    code = "not_allowed"


class StaleEdit(HavenError):
    """Someone else saved the record after this edit started: nothing was overwritten."""

    status_code = 409
    code = "conflict"


class InvalidTransition(HavenError):
    code = "invalid_transition"


class MissingConsent(HavenError):
    code = "missing_consent"
