"""Events and notifications: who is told what, in the portal and by e-mail.

``RECIPIENTS`` maps each event type to the parts (``workflows.engine.Actor``) to notify, and the dossier's
definition says who plays them; ``event_record`` writes the
``Event``, one ``Notification`` per recipient and channel, and enqueues the e-mails on commit. E-mails are
rendered without a request (absolute links from ``SITE_URL``) by ``tasks.notifications_send``.
"""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Membership

from .choices import Channel, DeliveryStatus, EventType
from .models import Event, Notification
from .workflows.engine import Actor, definition_for

# The events every dossier shares; each definition adds its own (``Definition.recipients`` / ``.messages``), which
# win over these: who is told what is the dossier's definition's.
RECIPIENTS: dict[str, frozenset] = {
    EventType.MESSAGE_POSTED: frozenset({Actor.COORDINATOR, Actor.DESK}),
    # The reviewers of the late organisation only (payload "organisation_ids"), and the desk that waits.
    EventType.OPINION_LATE: frozenset({Actor.REVIEWER, Actor.DESK}),
    EventType.DEADLINE_APPROACHING: frozenset({Actor.COORDINATOR, Actor.ARS}),
    EventType.DEADLINE_PASSED: frozenset({Actor.COORDINATOR, Actor.ARS}),
}

# What the notification says, in French; %(…)s are filled from the dossier and the event's payload.
EVENT_MESSAGES: dict[str, str] = {
    EventType.MESSAGE_POSTED: "Nouveau message sur le dossier de %(cpts)s : « %(excerpt)s »",
    EventType.OPINION_LATE: "L'avis de %(organisation)s sur le dossier de %(cpts)s est en retard.",
    EventType.DEADLINE_APPROACHING: "Échéance proche pour %(cpts)s : %(deadline)s.",
    EventType.DEADLINE_PASSED: "Échéance dépassée pour %(cpts)s : %(deadline)s.",
}


def recipients_of(dossier, type: str) -> frozenset:  # noqa: A002
    """The parts told of an event of this type on this dossier."""
    return definition_for(dossier).recipients.get(type) or RECIPIENTS[type]


def message_template(dossier, type: str) -> str:  # noqa: A002
    return definition_for(dossier).messages.get(type) or EVENT_MESSAGES.get(type, "%(cpts)s")


class _Defaults(dict):
    def __missing__(self, key):
        return "—"


def event_message(event: Event, dossier) -> str:
    template = message_template(dossier, event.type)
    return template % _Defaults({**event.payload, "cpts": dossier.cpts.name})


def dossier_url(dossier) -> str:
    return settings.SITE_URL.rstrip("/") + definition_for(dossier).url_of(dossier)


def people_for(dossier, actors: frozenset, payload: dict | None = None) -> list:
    """The active people who play ``actors`` on a dossier (one query): who they are is the dossier's definition's."""
    people_q = definition_for(dossier).people_q
    if people_q is None:
        return []
    q = people_q(dossier, actors, payload or {})
    users = {
        m.user_id: m.user
        for m in Membership.objects.filter(q, is_active=True, organisation__is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    }
    return list(users.values())


def event_record(*, dossier, type: str, actor=None, payload: dict | None = None) -> Event:  # noqa: A002
    """Record an event and its notifications (the actor is not notified of their own act); e-mails leave once
    the transaction commits, through a task that takes the event's id."""
    from .tasks import notifications_send

    now = timezone.now()
    event = Event.objects.create(dossier=dossier, type=type, actor=actor, payload=payload or {}, created_at=now)
    recipients = [
        u for u in people_for(dossier, recipients_of(dossier, type), payload) if actor is None or u.pk != actor.pk
    ]
    rows = []
    for user in recipients:
        rows.append(
            Notification(event=event, recipient=user, channel=Channel.PORTAL, status=DeliveryStatus.SENT, sent_at=now)
        )
        if user.email:
            rows.append(Notification(event=event, recipient=user, channel=Channel.EMAIL))
    Notification.objects.bulk_create(rows)
    if any(r.channel == Channel.EMAIL for r in rows):
        # robust: with the broker down the rows stay PENDING and ``pending_work_resend`` sends them later.
        transaction.on_commit(lambda: notifications_send.delay(event.pk), robust=True)
    return event


def render_email(notification: Notification) -> tuple[str, str, str]:
    """(subject, text, html) of an e-mail notification, in French, with absolute links."""
    event = notification.event
    dossier = event.dossier
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "recipient": notification.recipient,
            "event": event,
            "event_label": EventType(event.type).label if event.type in EventType.values else event.type,
            "message": event_message(event, dossier),
            "dossier": dossier,
            "url": dossier_url(dossier),
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("emails/notification_subject.txt", context).strip()
        text = render_to_string("emails/notification.txt", context)
        html = render_to_string("emails/notification.html", context)
    return " ".join(subject.split()), text, html
