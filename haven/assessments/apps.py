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
        from haven.cases.actions import DECISION_HOOKS
        from haven.cases.models import Approval

        post_migrate.connect(_install_shipped_forms, sender=self)
        DECISION_HOOKS[Approval.Kind.ASSESSMENT] = decide_sign_off
        page.add_to_tab("assessments", case_page.assessments_tab)
        page.add_to_dashboard(case_page.overdue_on_dashboard)


def _install_shipped_forms(sender, using, **kwargs):
    # Every installation has the forms shipped with Haven, in the version shipped.
    from haven.assessments.actions import install_shipped_forms

    install_shipped_forms(using=using)
