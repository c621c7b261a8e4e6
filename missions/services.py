"""Writes on the action plan. Each runs in one transaction, locks the rows two people may change at once, records
who did it in the audit trail (simple-history). Every validation state change is a transition method called with
``by=`` and ``comment=``: projects logs it in the dossiers' one log (a ``StatusTransition`` row written by its
receiver of django-fsm's ``post_transition``, inside this transaction), with the source and target the FSM saw.

Rules kept here:
- an edit of a fiche (its text, people, lists or indicators) bumps its ``version``; a save that started from an
  older version raises ``EditConflict`` and changes nothing (optimistic locking);
- an edit of a validated fiche returns it to draft, and a validated plan returns to draft when any of its fiches,
  its planned signature or a mission's inventory and objectives (``MissionIntro``) changes;
- only ACI missions count for funding: a fiche outside the ACI never carries a funding indicator.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import MemberInvitation
from governance.services import member_invite

from . import calculations as calc
from .choices import PlanStatus, SheetStatus
from .models import (
    ActionExample,
    ActionPlan,
    ActionSheet,
    IndicatorTemplate,
    Mission,
    MissionIntro,
    PlanningStep,
    ProblemFigure,
    SheetIndicator,
    SubAction,
)

COPIED_FIELDS = [
    "mission",
    "sub_mission",
    "sub_theme",
    "pilot",
    "other_actors",
    "problems",
    "objectives",
    "target_public",
    "obstacles",
    "levers",
    "budget_estimate",
    "budget_details",
    "existing_resources",
    "means_logistic",
    "means_digital",
    "means_human",
    "preparation_start",
    "start_date",
    "deployment_date",
    "end_date",
]


class EditConflict(Exception):
    """Someone saved the fiche since this person opened it; ``current`` is the saved version (locked, fresh)."""

    def __init__(self, current: ActionSheet):
        super().__init__(_("La fiche a été modifiée entre-temps."))
        self.current = current


def _audit(instance, by, reason: str = ""):
    instance._history_user = by
    if reason:
        instance._change_reason = reason[:100]
    return instance


def _lock_plan(plan_id: int) -> ActionPlan:
    return ActionPlan.objects.select_for_update().select_related("cpts").get(pk=plan_id)


def _reopen_plan(plan_id: int, *, by, reason: str) -> None:
    plan = _lock_plan(plan_id)
    if plan.status == PlanStatus.VALIDATED:
        plan.reopen(by=by, comment=reason)
        plan.validated_at = None
        plan.validated_by = None
        _audit(plan, by, reason).save()


def _after_edit(sheet: ActionSheet, *, by, reason: str) -> None:
    """A locked fiche changed: new version, back to draft when it was validated, plan back to draft."""
    sheet.version += 1
    sheet.updated_by = by
    if sheet.status != SheetStatus.DRAFT:
        sheet.reopen(by=by, comment=_("Fiche modifiée après validation : retour en brouillon."))
    _audit(sheet, by, reason).save()
    _reopen_plan(sheet.plan_id, by=by, reason=_("Fiche « %(title)s » modifiée.") % {"title": sheet.title})


SHEET_M2M_FIELDS = ("working_group", "involved_members", "partners")


def _set_people_quietly(sheet: ActionSheet, values: dict) -> None:
    """Set the fiche's many-to-many lists without a history line per list.

    simple_history writes a history row on every m2m change (post_add, post_remove), so one save of the form
    wrote the same "Modifié … version n" line up to four times. The caller's single ``save()`` records the
    fiche with its lists (``m2m_fields``), which is the one line a person expects.
    """
    sheet.skip_history_when_saving = True
    try:
        for name, value in values.items():
            getattr(sheet, name).set(value)
    finally:
        del sheet.skip_history_when_saving


def _lock_sheet(sheet_id: int) -> ActionSheet:
    return ActionSheet.objects.select_for_update().select_related("plan__cpts", "mission").get(pk=sheet_id)


def _next_position(plan: ActionPlan) -> int:
    return (ActionSheet.objects.filter(plan=plan).aggregate(m=Max("position"))["m"] or 0) + 1


# --- Plan --------------------------------------------------------------------------------------------------------


@transaction.atomic
def action_plan_create(*, cpts, by, planned_signature_date: dt.date | None = None) -> ActionPlan:
    """Open the actions of a CPTS's health project (permission checked by the caller)."""
    if ActionPlan.objects.filter(cpts=cpts).exists():
        raise ValidationError(_("Le plan d'actions de cette CPTS existe déjà."))
    plan = ActionPlan(cpts=cpts, planned_signature_date=planned_signature_date, created_by=by)
    plan.full_clean(exclude=["status"])
    _audit(plan, by, "Création du plan d'actions").save()
    return plan


@transaction.atomic
def action_plan_set_signature(*, plan: ActionPlan, by, planned_signature_date: dt.date | None) -> ActionPlan:
    locked = _lock_plan(plan.pk)
    if locked.planned_signature_date == planned_signature_date:
        return locked
    locked.planned_signature_date = planned_signature_date
    _audit(locked, by, "Date de signature envisagée").save()
    _reopen_plan(locked.pk, by=by, reason=_("Date de signature envisagée modifiée."))
    locked.refresh_from_db()
    return locked


@transaction.atomic
def action_plan_validate(*, plan: ActionPlan, by, checklist: calc.Checklist, all_validated: bool) -> ActionPlan:
    """The coordinator validates the whole plan: every blocking rule passes and every fiche is validated."""
    locked = _lock_plan(plan.pk)
    problems = []
    if not checklist.is_complete:
        problems.append(_("La liste de contrôle n'est pas complète."))
    if not all_validated:
        problems.append(_("Chaque fiche doit d'abord être validée par son pilote puis par la coordination."))
    if problems:
        raise ValidationError(problems)
    locked.validate(by=by)
    locked.validated_at = timezone.now()
    locked.validated_by = by
    _audit(locked, by, "Validation interne du plan").save()
    return locked


INTRO_FIELDS = ("existing_offer", "patient_objectives", "priority_target", "actor_objectives")


@transaction.atomic
def mission_intro_save(*, plan: ActionPlan, mission: Mission, by, data: dict) -> MissionIntro:
    """Write a mission's inventory of the existing offer and its objectives (seed 003), before its fiches.

    ``data`` holds the four texts (``INTRO_FIELDS``). Only ACI missions have one. A change returns a validated plan
    to draft and marks the plan changed (the fiches PDF then offers to prepare itself again)."""
    if not mission.is_aci:
        raise ValidationError(_("Les actions hors champ ACI n'ont pas d'état des lieux par mission."))
    locked = _lock_plan(plan.pk)
    intro = MissionIntro.objects.filter(plan=locked, mission=mission).first() or MissionIntro(
        plan=locked, mission=mission
    )
    values = {name: (data.get(name) or "").strip() for name in INTRO_FIELDS}
    if all(getattr(intro, name) == value for name, value in values.items()):
        return intro  # nothing changed (and nothing written yet stays without a row)
    for name, value in values.items():
        setattr(intro, name, value)
    intro.updated_by = by
    intro.full_clean()
    _audit(intro, by, "État des lieux et objectifs").save()
    ActionPlan.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
    _reopen_plan(
        locked.pk, by=by, reason=_("État des lieux et objectifs de « %(mission)s » modifiés.") % {"mission": mission}
    )
    return intro


# --- Fiches ------------------------------------------------------------------------------------------------------


@transaction.atomic
def action_sheet_create(*, plan: ActionPlan, by, mission, title: str, sub_mission=None) -> ActionSheet:
    sheet = ActionSheet(
        plan=plan,
        mission=mission,
        sub_mission=sub_mission,
        title=title,
        position=_next_position(plan),
        created_by=by,
        updated_by=by,
    )
    sheet.full_clean(exclude=["status"])  # a protected FSM field is never set by hand
    _audit(sheet, by, "Création").save()
    _reopen_plan(plan.pk, by=by, reason=_("Fiche « %(title)s » ajoutée.") % {"title": title})
    return sheet


def _offset(signature: dt.date | None, months) -> dt.date | None:
    if signature is None or months is None:
        return None
    return calc.add_months(signature, int(months))


@transaction.atomic
def action_sheet_create_from_example(*, plan: ActionPlan, by, example: ActionExample) -> ActionSheet:
    """A new fiche filled with every field of a worked example of seed 000 ("partir d'un exemple").

    Planning dates are placed after the plan's planned signature (left empty when it is not set yet); the pilot
    and the working group are the CPTS's own and stay to be chosen.
    """
    content = example.content
    planning = content.get("planning", {})
    signature = plan.planned_signature_date
    sheet = ActionSheet(
        plan=plan,
        mission=example.mission,
        sub_mission=example.sub_mission,
        title=example.title,
        sub_theme=content.get("sub_theme", ""),
        other_actors=content.get("other_actors", ""),
        problems=content.get("problems", ""),
        objectives=content.get("objectives", ""),
        target_public=content.get("target_public", ""),
        obstacles=content.get("obstacles", ""),
        levers=content.get("levers", ""),
        budget_estimate=Decimal(content["budget_estimate"]) if content.get("budget_estimate") else None,
        budget_details=content.get("budget_details", ""),
        existing_resources=content.get("existing_resources", ""),
        means_logistic=content.get("means_logistic", ""),
        means_digital=content.get("means_digital", ""),
        means_human=content.get("means_human", ""),
        preparation_start=_offset(signature, planning.get("preparation")),
        start_date=_offset(signature, planning.get("start")),
        deployment_date=_offset(signature, planning.get("deployment")),
        end_date=_offset(signature, planning.get("end")),
        position=_next_position(plan),
        example=example,
        created_by=by,
        updated_by=by,
    )
    sheet.full_clean(exclude=["status"])
    _audit(sheet, by, "Création à partir d'un exemple").save()
    for i, figure in enumerate(content.get("figures", [])):
        _audit(
            ProblemFigure(
                sheet=sheet,
                label=figure["label"],
                unit=figure.get("unit", ""),
                source=figure.get("source", ""),
                position=i,
            ),
            by,
        ).save()
    for i, action in enumerate(content.get("sub_actions", [])):
        _audit(
            SubAction(sheet=sheet, description=action["description"], who=action.get("who", ""), position=i), by
        ).save()
    for i, step in enumerate(content.get("steps", [])):
        _audit(
            PlanningStep(
                sheet=sheet,
                label=step["label"],
                date=_offset(signature, step.get("offset_months")),
                is_funder_meeting=step.get("is_funder_meeting", False),
                position=i,
            ),
            by,
        ).save()
    templates = IndicatorTemplate.objects.in_bulk(
        [i["template"] for i in content.get("indicators", []) if i.get("template")], field_name="code"
    )
    for i, spec in enumerate(content.get("indicators", [])):
        template = templates.get(spec.get("template"))
        indicator = SheetIndicator(
            sheet=sheet,
            template=template,
            kind=spec.get("kind") or (template.kind if template else "action"),
            label=spec.get("label") or (template.label if template else ""),
            unit=spec.get("unit") or (template.unit if template else ""),
            direction=spec.get("direction") or (template.direction if template else "increasing"),
            source=spec.get("source") or (template.source if template else ""),
            is_funding=bool(spec.get("is_funding")) and example.mission.requires_funding_indicator,
            position=i,
        )
        indicator.full_clean()
        _audit(indicator, by).save()
    _reopen_plan(plan.pk, by=by, reason=_("Fiche « %(title)s » ajoutée.") % {"title": sheet.title})
    return sheet


@transaction.atomic
def action_sheet_update(*, sheet_id: int, by, expected_version: int, form, formsets=()) -> ActionSheet:
    """Save the fiche form and its lists if nobody saved since ``expected_version``; else raise ``EditConflict``.

    The posted values are applied to the freshly locked row (never to the instance read before the lock), so a
    validation or a reordering done meanwhile is kept.
    """
    current = _lock_sheet(sheet_id)
    if current.version != expected_version:
        raise EditConflict(current)
    if current.is_archived:
        raise ValidationError(_("Cette fiche est archivée : restaurez-la pour la modifier."))
    if not form.has_changed() and not any(fs.has_changed() for fs in formsets):
        return current
    construct_instance(form, current, fields=form._meta.fields, exclude=form._meta.exclude)
    current.full_clean(exclude=["status"])
    _set_people_quietly(current, {n: v for n, v in form.cleaned_data.items() if n in SHEET_M2M_FIELDS})
    _after_edit(current, by=by, reason="Modification de la fiche")
    for formset in formsets:
        formset.instance = current
        for obj in formset.save(commit=False):
            _audit(obj, by).save()
        for obj in formset.deleted_objects:
            obj.delete()
    return current


@transaction.atomic
def action_sheet_duplicate(*, sheet: ActionSheet, by) -> ActionSheet:
    source = ActionSheet.objects.prefetch_related(
        "working_group", "involved_members", "partners", "figures", "sub_actions", "steps", "indicators"
    ).get(pk=sheet.pk)
    copy = ActionSheet(
        plan=source.plan,
        title=_("Copie de %(title)s") % {"title": source.title},
        position=_next_position(source.plan),
        example=source.example,
        created_by=by,
        updated_by=by,
        **{name: getattr(source, name) for name in COPIED_FIELDS},
    )
    copy.full_clean(exclude=["status"])
    _audit(copy, by, "Copie d'une fiche").save()
    _set_people_quietly(copy, {name: getattr(source, name).all() for name in SHEET_M2M_FIELDS})
    for related in ("figures", "sub_actions", "steps", "indicators"):
        for child in getattr(source, related).all():
            child.pk = None
            child._state.adding = True
            child.sheet = copy
            _audit(child, by).save()
    _reopen_plan(source.plan_id, by=by, reason=_("Fiche « %(title)s » ajoutée.") % {"title": copy.title})
    return copy


@transaction.atomic
def action_sheet_move(*, sheet: ActionSheet, by, direction: str) -> None:
    """Move a fiche up or down among the active fiches of its mission (positions renumbered 1..n)."""
    _lock_plan(sheet.plan_id)
    siblings = list(
        ActionSheet.objects.select_for_update()
        .filter(plan_id=sheet.plan_id, mission_id=sheet.mission_id, is_archived=False)
        .order_by("position", "pk")
    )
    index = next((i for i, s in enumerate(siblings) if s.pk == sheet.pk), None)
    if index is None:
        raise ValidationError(_("Une fiche archivée ne se déplace pas."))
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, item in enumerate(siblings, start=1):
        if item.position != position:
            ActionSheet.objects.filter(pk=item.pk).update(position=position)


@transaction.atomic
def action_sheet_archive(*, sheet: ActionSheet, by, archived: bool) -> ActionSheet:
    locked = _lock_sheet(sheet.pk)
    if locked.is_archived == archived:
        return locked
    locked.is_archived = archived
    locked.archived_at = timezone.now() if archived else None
    if not archived:
        locked.position = _next_position(locked.plan)
    _audit(locked, by, "Archivage" if archived else "Restauration").save()
    _reopen_plan(
        locked.plan_id,
        by=by,
        reason=(_("Fiche « %(title)s » archivée.") if archived else _("Fiche « %(title)s » restaurée."))
        % {"title": locked.title},
    )
    return locked


# --- Indicators --------------------------------------------------------------------------------------------------


@transaction.atomic
def indicator_save(*, sheet: ActionSheet, by, form) -> SheetIndicator:
    """Save an indicator form already validated with ``form.instance.sheet`` set; the fiche changes version."""
    locked = _lock_sheet(sheet.pk)
    indicator = form.save(commit=False)
    indicator.sheet = locked
    if indicator.pk is None:
        indicator.position = locked.indicators.count() + 1
    indicator.full_clean()
    _audit(indicator, by).save()
    _after_edit(locked, by=by, reason=f"Indicateur « {indicator.label} »")
    return indicator


@transaction.atomic
def indicator_delete(*, indicator: SheetIndicator, by) -> None:
    locked = _lock_sheet(indicator.sheet_id)
    _audit(indicator, by).delete()
    _after_edit(locked, by=by, reason="Indicateur supprimé")


# --- Validation --------------------------------------------------------------------------------------------------


@transaction.atomic
def action_sheet_validate_by_pilot(*, sheet: ActionSheet, by, comment: str = "") -> ActionSheet:
    locked = _lock_sheet(sheet.pk)
    if not locked.title or locked.pilot_id is None:
        raise ValidationError(_("Désignez d'abord le pilote de la fiche."))
    locked.validate_by_pilot(by=by, comment=comment)
    _audit(locked, by, "Validation par le pilote").save()
    return locked


@transaction.atomic
def action_sheet_validate_for_pilot(*, sheet: ActionSheet, by, comment: str = "") -> ActionSheet:
    """A coordinator validates the fiche in place of its pilot, who has no portal account (permission checked by
    the caller with ``can_validate_sheet_for_pilot``); the log row says who validated for whom."""
    locked = _lock_sheet(sheet.pk)
    pilot = locked.pilot
    if pilot is None:
        raise ValidationError(_("Désignez d'abord le pilote de la fiche."))
    if pilot.user_id is not None:
        raise ValidationError(_("%(pilot)s a un compte sur le portail : la validation lui revient.") % {"pilot": pilot})
    note = _("Validée par %(by)s au nom du pilote %(pilot)s, sans compte.") % {
        "by": by.get_full_name() or by.email,
        "pilot": pilot,
    }
    locked.validate_for_pilot(by=by, comment=f"{note} {comment}".strip())
    _audit(locked, by, "Validation au nom du pilote").save()
    return locked


@transaction.atomic
def action_sheet_invite_pilot(*, sheet: ActionSheet, by) -> MemberInvitation:
    """Send the fiche's pilot governance's single-use invitation to a portal account (permission checked by the
    caller with ``can_invite_pilot``)."""
    locked = _lock_sheet(sheet.pk)
    if locked.pilot is None:
        raise ValidationError(_("Désignez d'abord le pilote de la fiche."))
    invitation, _token = member_invite(member=locked.pilot, invited_by=by)
    return invitation


@transaction.atomic
def action_sheet_validate(*, sheet: ActionSheet, by, comment: str = "") -> ActionSheet:
    """The coordinator validates the fiche's indicators and budget: at least one indicator and a budget."""
    locked = _lock_sheet(sheet.pk)
    problems = []
    if not locked.indicators.exists():
        problems.append(_("La fiche n'a aucun indicateur."))
    if locked.budget_estimate is None:
        problems.append(_("Le budget estimé de la fiche n'est pas renseigné."))
    if problems:
        raise ValidationError(problems)
    locked.validate_by_coordinator(by=by, comment=comment)
    _audit(locked, by, "Validation par la coordination").save()
    return locked
