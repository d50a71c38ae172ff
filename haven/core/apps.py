from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "haven.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from haven.core import text_limits

        text_limits.connect()
