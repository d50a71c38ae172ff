from django.apps import apps as global_apps

from haven.accounts.permissions import BUILTIN_ROLES


def install_builtin_roles(sender, using: str = "default", apps=None, **kwargs) -> None:
    """After every `migrate` (and every flush of a test database): the built-in roles as
    this version of Haven defines them, so a new permission reaches them without a
    migration of its own. Roles an agency made are left alone."""
    registry = apps or global_apps  # a flush sends no migration state
    sync_builtin_roles(registry.get_model("accounts", "Role"), using=using)


def sync_builtin_roles(role_model, using: str = "default") -> None:
    """Create or refresh the built-in roles (takes the model, so migrations can pass theirs)."""
    for code, (name, permissions, _scope, two_factor) in BUILTIN_ROLES.items():
        role_model.objects.using(using).update_or_create(
            code=code,
            defaults={
                "name": str(name),
                "permissions": list(permissions),
                "requires_two_factor": two_factor,
                "builtin": True,
            },
        )
