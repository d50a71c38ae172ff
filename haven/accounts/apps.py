from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "haven.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from haven.accounts import signals  # noqa: F401  (login audit receivers)
        from haven.accounts.roles import install_builtin_roles

        post_migrate.connect(install_builtin_roles, sender=self, dispatch_uid="haven.roles")
