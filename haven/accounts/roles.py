from haven.accounts.permissions import BUILTIN_ROLES


def sync_builtin_roles(role_model) -> None:
    """Create or refresh the built-in roles (takes the model, so migrations can pass theirs)."""
    for code, (name, permissions, _scope, two_factor) in BUILTIN_ROLES.items():
        role_model.objects.update_or_create(
            code=code,
            defaults={
                "name": str(name),
                "permissions": list(permissions),
                "requires_two_factor": two_factor,
                "builtin": True,
            },
        )
