from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top layer: what puts the apps together — starting Haven (`haven run`), demo and
    bulk seeding, key rotation, what every page's template is given."""

    name = "haven.site"
    label = "haven_site"
    verbose_name = "Site"
