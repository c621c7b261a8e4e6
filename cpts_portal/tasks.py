"""The one Celery task that renders a requested PDF, whatever its kind (``cpts_portal.rendering``): thin, it takes the
model's label and the row's id, finds the renderer registered for that model and calls the service."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


# acks_late + reject_on_worker_lost: a worker killed mid-render does not acknowledge the message, which is delivered
# again; the row is claimed once (a render still running, or a stored file, is left alone).
@shared_task(
    bind=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=3, acks_late=True, reject_on_worker_lost=True
)
def render_requested_document(self, model_label: str, document_id: int) -> None:
    """Render a requested PDF (``model_label`` as ``"funding.BudgetDocument"``) and store it."""
    from .rendering import (
        RENDERERS,
        requested_document_mark_failed,
        requested_document_release,
        requested_document_render_now,
    )

    renderer = RENDERERS[model_label]
    try:
        requested_document_render_now(renderer=renderer, document_id=document_id)
    except OSError:
        requested_document_release(model=renderer.model, document_id=document_id)  # the retry claims it again
        raise
    except Exception as exc:
        logger.exception("Échec du rendu PDF (%s %s)", model_label, document_id)
        requested_document_mark_failed(model=renderer.model, document_id=document_id, error=str(exc))
        raise
