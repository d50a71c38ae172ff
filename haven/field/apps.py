from django.apps import AppConfig


class FieldConfig(AppConfig):
    name = "haven.field"
    label = "field"
    verbose_name = "Field work offline"
