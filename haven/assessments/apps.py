from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AssessmentsConfig(AppConfig):
    name = "haven.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        from haven.assessments import case_page
        from haven.assessments.actions import decide_sign_off
        from haven.cases import page
        from haven.core import hooks

        post_migrate.connect(_install_shipped_forms, sender=self)
        hooks.subscribe(hooks.APPROVAL_DECIDED, decide_sign_off)
        page.add_to_tab("assessments", case_page.assessments_tab)
        page.add_to_dashboard(case_page.overdue_on_dashboard)


def _install_shipped_forms(sender, using, **kwargs):
    # Every installation has the forms shipped with Haven, in the version shipped.
    from haven.assessments.actions import install_shipped_forms

    install_shipped_forms(using=using)
