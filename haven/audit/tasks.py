from celery import shared_task


@shared_task
def anchor_audit_chains() -> dict:
    """Write the chains' heads outside the database (hourly, by the worker's scheduler)."""
    from haven.audit import anchors

    return anchors.write()
