from django.apps import AppConfig


class OversightConfig(AppConfig):
    """The data-protection officer's pages: the audit trail and the access log, searched
    within the scope of `audit.view`."""

    name = "haven.oversight"
    label = "oversight"
    verbose_name = "Oversight"
