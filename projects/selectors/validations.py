"""A CPTS's validation history: the status changes of its action plan, its fiches action and its budget, from the
dossiers' one log (``StatusTransition`` rows written by ``workflows.logged``), in time order."""

from django.db.models import Case, CharField, OuterRef, Q, Subquery, When

from funding.models import Budget
from missions.models import ActionPlan, ActionSheet

from ..models import StatusTransition
from ..workflows.logged import LoggedChange, logged_change

__all__ = ["validation_history"]


def _of(model, ids) -> Q:
    # A join on the content type rather than its cached id, so that a cold cache costs no query (as ``rows_of``).
    opts = model._meta
    return Q(content_type__app_label=opts.app_label, content_type__model=opts.model_name, object_id__in=ids)


def validation_history(cpts) -> list[LoggedChange]:
    """Every status change of the CPTS's plan, fiches (archived ones too) and budget, oldest first: one query."""
    sheets = ActionSheet.objects.filter(plan__cpts=cpts)
    rows = (
        StatusTransition.objects.filter(
            _of(ActionPlan, ActionPlan.objects.filter(cpts=cpts).values("pk"))
            | _of(ActionSheet, sheets.values("pk"))
            | _of(Budget, Budget.objects.filter(organisation=cpts).values("pk"))
        )
        .annotate(
            subject=Case(
                When(
                    content_type__app_label=ActionSheet._meta.app_label,
                    content_type__model=ActionSheet._meta.model_name,
                    then=Subquery(ActionSheet.objects.filter(pk=OuterRef("object_id")).values("title")[:1]),
                ),
                default=None,
                output_field=CharField(),
            )
        )
        .select_related("content_type", "by")
        .order_by("at", "pk")
    )
    return [logged_change(row, row.subject or "") for row in rows]
