from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "haven.tracing"
    label = "tracing"
    verbose_name = _("Family tracing and duplicates")

    def ready(self):
        from haven.cases import page
        from haven.core import hooks
        from haven.tracing import selectors, tasks, views

        page.add_to_tab("family", views.case_tab_context)
        page.set_duplicate_finder(selectors.likely_duplicates)
        hooks.subscribe(hooks.PERSON_CHANGED, tasks.queue_person_matches_refresh)
