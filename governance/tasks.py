"""Thin Celery tasks of governance: they take ids and call one service (``governance.signatures``)."""

from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def signature_links_send(round_id: int) -> int:
    """Send the requested signature links of a round (each once: a rerun or a second worker sends nothing)."""
    from .signatures import signature_links_send as send

    return send(round_id=round_id)


@shared_task
def signature_rounds_remind() -> dict:
    """Beat: remind the members who have not signed, and send again the links whose task was lost."""
    from .signatures import signature_rounds_remind_due

    return signature_rounds_remind_due()
