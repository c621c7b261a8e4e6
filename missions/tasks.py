"""Thin Celery tasks of the action plan: they take ids and call one service (``missions.documents``)."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


# acks_late + reject_on_worker_lost: a worker killed mid-render does not acknowledge the message, which is delivered
# again; the row is claimed once (a render still running, or a stored file, is left alone).
@shared_task(
    bind=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=3, acks_late=True, reject_on_worker_lost=True
)
def plan_document_render(self, document_id: int) -> None:
    """Render the PDF of a plan's fiches (or of one fiche) and store it."""
    from .documents import plan_document_mark_failed, plan_document_release, plan_document_render_now

    try:
        plan_document_render_now(document_id=document_id)
    except OSError:
        plan_document_release(document_id=document_id)  # the retry claims it again
        raise
    except Exception as exc:
        logger.exception("Échec du rendu PDF des fiches action (document %s)", document_id)
        plan_document_mark_failed(document_id=document_id, error=str(exc))
        raise
