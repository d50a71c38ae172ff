from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "haven.assistance"
    label = "assistance"
    verbose_name = "Assistance"

    def ready(self):
        from haven.assistance import actions, return_views, views
        from haven.cases import page
        from haven.core import hooks

        hooks.subscribe(hooks.CONSENT_WITHDRAWN, actions.consent_withdrawn)
        page.add_to_tab("referrals", views.case_tab_context)
        page.add_to_tab("return", return_views.case_tab_context)
        page.add_to_dashboard(views.referrals_on_dashboard)
