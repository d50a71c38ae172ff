from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "haven.feedback"
    label = "feedback"
    verbose_name = _("Feedback and complaints")

    def ready(self):
        from haven.cases import page
        from haven.feedback import selectors

        page.add_to_dashboard(selectors.feedback_on_dashboard)
