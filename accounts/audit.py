"""The audit trail (django-simple-history) and its retention."""

import datetime as dt

from django.db import transaction
from simple_history.models import registered_models


@transaction.atomic
def audit_log_purge(*, before: dt.datetime) -> dict[str, int]:
    """Delete historical rows recorded before a date, for every audited model; return the counts per model."""
    deleted = {}
    for model in registered_models.values():
        manager = getattr(model, "history", None)
        if manager is None:  # m2m history rows go with their parent row (cascade)
            continue
        history_model = manager.model
        count, _ = history_model.objects.filter(history_date__lt=before).delete()
        if count:
            deleted[history_model._meta.label] = count
    return deleted
