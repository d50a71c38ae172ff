from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AssessmentsConfig(AppConfig):
    name = "haven.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        post_migrate.connect(_install_shipped_forms, sender=self)


def _install_shipped_forms(sender, using, **kwargs):
    # Every installation has the forms shipped with Haven, in the version shipped.
    from haven.assessments.actions import install_shipped_forms

    install_shipped_forms(using=using)
