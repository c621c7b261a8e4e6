"""Tasks of the accounts app."""

from celery import shared_task
from django.utils import timezone

from .models import Region


@shared_task
def worker_heartbeat() -> dict:
    """Prove a worker is alive and reaches the database (used by ``check_services`` and tests)."""
    return {"regions": Region.objects.count(), "at": timezone.now().isoformat()}
