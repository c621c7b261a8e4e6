"""The status changes of the rows below projects (fiches action, the action plan, the budget) in the dossiers' one
log: the same ``StatusTransition`` rows as the letter's, so that a CPTS's timeline shows them (issue 13, point 5).

Missions and funding may not import projects (layers). Their transitions are django-fsm-2 methods called with
``by=`` and ``comment=`` keyword arguments; django-fsm-2 sends ``post_transition`` synchronously after each one
(the mechanism django-fsm-log uses), with the source and target it applied and those arguments. The receiver below
writes one row per transition of a model listed in ``LOGGED``, inside the caller's atomic block; a transition
without ``by`` (an automatic one) is logged too, with an empty ``by``: the log is never skipped.

The letter's transitions are not listed: the engine's ``fire`` logs them itself (with their version and details).
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm.signals import post_transition

from funding.choices import BudgetStatus
from funding.models import BUDGET_TRANSITION_LABELS, Budget
from missions import status_log
from missions.choices import PlanStatus, SheetStatus
from missions.models import TRANSITION_LABELS, ActionPlan, ActionSheet

from ..models import StatusTransition
from .engine import rows_of

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Logged:
    """How the log reads the transitions of one model."""

    noun: "StrOrPromise"  # what changed, on a timeline mixing several kinds of rows
    transition_labels: Mapping[str, "StrOrPromise"]
    status_choices: type[models.TextChoices]


LOGGED: dict[type[models.Model], Logged] = {
    ActionPlan: Logged(_("Plan d'actions"), TRANSITION_LABELS, PlanStatus),
    ActionSheet: Logged(_("Fiche action"), TRANSITION_LABELS, SheetStatus),
    Budget: Logged(_("Budget"), BUDGET_TRANSITION_LABELS, BudgetStatus),
}
LOGGED_BY_LABEL = {model._meta.label_lower: logged for model, logged in LOGGED.items()}


def log_transition(sender, instance, name, source, target, method_kwargs=None, exception=None, **kwargs) -> None:
    """One ``StatusTransition`` row for a transition of a logged model (``post_transition`` receiver)."""
    if sender not in LOGGED or exception is not None:
        return
    method_kwargs = method_kwargs or {}
    StatusTransition.objects.create(
        dossier=instance,
        transition=name,
        source=source,
        target=target,
        by=method_kwargs.get("by"),
        at=timezone.now(),
        comment=method_kwargs.get("comment") or "",
    )


@dataclass(frozen=True)
class LoggedChange:
    """One status change as pages show it: what changed, the transition and the statuses in French."""

    at: dt.datetime
    noun: str
    label: str
    source_label: str
    target_label: str
    by: Any
    comment: str
    subject: str = ""  # the fiche's title, on a CPTS's timeline


def logged_change(row: StatusTransition, subject: str = "") -> LoggedChange:
    """Read with ``select_related("content_type", "by")``: no query."""
    logged = LOGGED_BY_LABEL[f"{row.content_type.app_label}.{row.content_type.model}"]
    statuses = dict(logged.status_choices.choices)
    return LoggedChange(
        at=row.at,
        noun=str(logged.noun),
        label=str(logged.transition_labels.get(row.transition, row.transition)),
        source_label=str(statuses.get(row.source, row.source)),
        target_label=str(statuses.get(row.target, row.target)),
        by=row.by,
        comment=row.comment,
        subject=subject,
    )


def status_changes_of(obj, *, limit: int = 20) -> list[LoggedChange]:
    """The latest status changes of one logged row (a fiche, the plan), newest first: one query."""
    rows = StatusTransition.objects.filter(rows_of(obj)).select_related("content_type", "by").order_by("-at", "-pk")
    return [logged_change(row) for row in rows[:limit]]


def connect() -> None:
    """Called by ``ProjectsConfig.ready``: the writer of the rows, and the reader missions' pages show them with."""
    post_transition.connect(log_transition, dispatch_uid="projects.workflows.logged.log_transition")
    status_log.set_reader(status_changes_of)
