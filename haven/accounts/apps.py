from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "haven.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from haven.accounts import signals  # noqa: F401  (login audit receivers)
