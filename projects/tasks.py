"""Thin Celery tasks: they take ids, load, and call one service. Enqueued only through ``transaction.on_commit``."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger(__name__)


# acks_late + reject_on_worker_lost: a worker killed mid-render does not acknowledge the message, which is delivered
# again; the render is idempotent (the row is locked, a READY document is never rendered again).
@shared_task(
    bind=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=3, acks_late=True, reject_on_worker_lost=True
)
def document_render(self, document_id: int) -> None:
    """Render the PDF of a version and store it with its SHA-256."""
    from .services import document_mark_failed, document_render_now

    try:
        document_render_now(document_id=document_id)
    except OSError:
        raise
    except Exception as exc:
        logger.exception("Échec du rendu PDF du document %s", document_id)
        document_mark_failed(document_id=document_id, error=str(exc))
        raise


def _email(notification) -> EmailMultiAlternatives:
    from .notifications import render_email

    subject, text, html = render_email(notification)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [notification.recipient.email])
    message.attach_alternative(html, "text/html")
    return message


@shared_task
def notifications_send(event_id: int) -> int:
    """Send the pending e-mail notifications of an event, each once (a rerun or a second worker sends nothing)."""
    from .choices import Channel, DeliveryStatus
    from .models import Notification
    from .services import notification_send_once

    pending = Notification.objects.filter(
        event_id=event_id, channel=Channel.EMAIL, status=DeliveryStatus.PENDING
    ).values_list("pk", flat=True)
    return sum(notification_send_once(notification_id=pk, build_message=_email) for pk in list(pending))


@shared_task
def deadlines_process() -> int:
    """Beat: alerts before deadlines and notices once passed."""
    from .services import deadline_process_due

    return deadline_process_due()


@shared_task
def opinions_remind_late() -> int:
    """Beat: remind the organisations whose opinion is past the regional delay."""
    from .services import expected_opinion_remind_late

    return expected_opinion_remind_late()


@shared_task
def health_projects_scan() -> int:
    """Beat: the health projects' 2-month clock (tacit validations once the date has passed, alerts to the ARS before
    it, late opinions), read from deadline rows; never a countdown."""
    from .workflows.health_project_services import health_projects_scan as scan

    return scan()


@shared_task
def pending_work_resend() -> dict:
    """Beat: send again the PDF renders (the letter's, and every requested PDF: the fiches action's, the budget's)
    and e-mails whose task was lost (broker down at commit, worker killed)."""
    from cpts_portal.rendering import requested_documents_resend

    from .services import pending_work_resend as resend

    return {**resend(), "requested_documents": requested_documents_resend()}
