"""Tasks of the accounts app."""

from celery import shared_task
from django.utils import timezone

from .models import Region


@shared_task
def worker_heartbeat() -> dict:
    """Prove a worker is alive and reaches the database (used by ``check_services`` and tests)."""
    return {"regions": Region.objects.count(), "at": timezone.now().isoformat()}


@shared_task
def purge_audit_log() -> dict:
    """Keep the audit trail for AUDIT_RETENTION_DAYS (12 months by default), then purge it."""
    import datetime as dt

    from django.conf import settings

    from .audit import audit_log_purge

    return audit_log_purge(before=timezone.now() - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS))
