from django.db import migrations


class Migration(migrations.Migration):
    """The built-in roles are installed after every migrate (accounts.roles.
    install_builtin_roles), no longer by a migration per new permission: this one stands in
    for those eight, so databases that ran them and new ones end in the same state."""

    replaces = [
        ("accounts", "0002_builtin_roles"),
        ("accounts", "0003_assessment_permissions"),
        ("accounts", "0004_referral_permissions"),
        ("accounts", "0005_feedback_permissions"),
        ("accounts", "0006_tracing_and_merge_permissions"),
        ("accounts", "0007_release_permission"),
        ("accounts", "0008_case_export_permission"),
        ("accounts", "0009_field_work_permissions"),
    ]
    dependencies = [("accounts", "0001_initial")]
    operations = []
