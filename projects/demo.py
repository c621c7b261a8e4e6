"""Demo dossiers of ``seed_demo``: each demo CPTS's intention letter walked to its stage by the real transition
services, and for a validated letter the health project in progress (fiches action, budget, identity).

Idempotent: a letter is written and walked once, when the CPTS has none yet (or only the untouched draft a run
without communes left); the health project, action plan and budget are created only when missing.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F as F_
from django.forms.models import model_to_dict
from django.utils import timezone
from stdnum import luhn

from accounts.choices import LetterCircuit, OrganisationKind, Role, Stage
from accounts.demo import DemoStage
from accounts.models import Membership, Organisation, StageCircuit
from funding.demo import seed_budget_demo
from funding.models import Budget
from funding.services import budget_save_parameters
from governance.models import Member, Signature, SignatureRound
from governance.selectors import signature_round_current
from governance.signatures import signature_link_issue, signature_sign
from missions.demo import seed_actions_demo
from missions.forms import ActionSheetForm, SheetIndicatorForm
from missions.models import ActionExample, ActionPlan, ActionSheet, IndicatorTemplate, Mission, SubMission
from missions.selectors import action_plan_page
from missions.services import (
    action_plan_create,
    action_plan_validate,
    action_sheet_create,
    action_sheet_create_from_example,
    action_sheet_update,
    action_sheet_validate,
    action_sheet_validate_by_pilot,
    action_sheet_validate_for_pilot,
    indicator_save,
)

from .choices import Assessment, ComplementReason, DecisionOutcome, HealthProjectStatus, LetterStatus
from .forms import IdentitySheetForm
from .models import (
    CarryingStructure,
    Deadline,
    DossierVersion,
    Event,
    ExpectedOpinion,
    HealthProject,
    IntentionLetter,
    LetterProfession,
    LetterTeamMember,
    Opinion,
    OrientationOption,
    StatusTransition,
)
from .selectors import letter_grid
from .selectors.review import project_grid
from .services import (
    health_project_start,
    health_project_update,
    identity_sheet_save,
    letter_create,
    message_post,
    note_add,
    opinion_give,
)
from .workflows.engine import rows_of
from .workflows.health_project import project_settings
from .workflows.health_project_services import (
    health_projects_scan,
    project_approve,
    project_deposit,
    project_give_opinion,
)
from .workflows.letter import letter_settings
from .workflows.letter_services import (
    letter_decide,
    letter_open_review,
    letter_prepare_decision,
    letter_request_complements,
    letter_submit,
    letter_transmit,
)

F, R = Assessment.FAVORABLE, Assessment.RESERVED


def _siret(n: int) -> str:
    """A well-formed SIRET (SIREN and SIRET keys right) in a range no real company has (9xxxxxxx)."""
    siren = luhn.calc_check_digit(f"9{n:07d}")
    siren = f"9{n:07d}" + siren
    return siren + "0001" + luhn.calc_check_digit(siren + "0001")


def _user(organisation: Organisation, role: str):
    membership = Membership.objects.filter(organisation=organisation, role=role).select_related("user").first()
    return membership.user if membership else None


# --- The letter --------------------------------------------------------------------------------------------------


def _short(cpts: Organisation) -> str:
    return cpts.name.removeprefix("CPTS ").removesuffix(" (projet)")


def _write_letter(cpts: Organisation, coordinator, *, complete: bool, index: int) -> IntentionLetter:
    """The coordinator starts the letter (service) and types it; a draft stays half written."""
    letter = letter_create(cpts=cpts, by=coordinator)
    structure = letter.carrying_structure
    if structure is None:  # letter_create always creates it
        raise RuntimeError("letter_create did not create the carrying structure")
    structure.name = f"Association de préfiguration de la {cpts.name.removesuffix(' (projet)')}"
    structure.address = "Maison des associations, 2 place de la Mairie"
    reunion = cpts.region.code == "04"
    letter.pilot_name = coordinator.get_full_name()
    letter.pilot_profession = "Médecin généraliste" if index % 2 == 0 else "Infirmière libérale"
    letter.contact_phone = f"{'02 62' if reunion else '05 61'} 00 00 {index:02d}"
    letter.needs = (
        "Près d'un patient en ALD sur huit sans médecin traitant ; des passages aux urgences évitables le week-end ; "
        "peu de coordination avec l'hôpital de proximité."
        if not reunion
        else "Une prévalence du diabète deux fois supérieure à celle de l'Hexagone, des sorties de maternité peu "
        "coordonnées et des personnes âgées isolées dans les Hauts."
    )
    letter.information_actions = (
        "Questionnaire envoyé avec l'URPS Médecins aux professionnels du territoire, deux réunions publiques."
    )
    letter.project_description = (
        f"Une CPTS qui organise sur le territoire {_short(cpts)} l'accès à un médecin traitant et aux soins non "
        "programmés, puis des parcours autour des patients chroniques et des personnes âgées."
    )
    letter.commits_access = letter.commits_pathways = True
    if reunion and (settings := letter_settings(letter)) is not None:
        letter.themes = settings.theme_list[:2]  # diabète et obésité, périnatalité
    if complete:
        structure.siret = _siret(index + 1)
        letter.commits_prevention = letter.commits_crisis = True
        letter.objectives = (
            "Trouver un médecin traitant à chaque patient en ALD ; organiser une réponse aux soins non programmés "
            "en journée ; deux parcours la première année ; un plan de crise sous un an."
        )
        letter.means = "Un temps de coordination (0,5 ETP), une messagerie sécurisée partagée, un site internet."
        letter.partners_associated = "Hôpital de proximité, dispositif d'appui à la coordination"
        letter.partners_planned = "Communauté de communes, services d'aide à domicile, EHPAD du territoire"
        letter.subsidy_amount = Decimal("50000.00")
        letter.engineering_budget = Decimal("62000.00")
    structure.full_clean()
    structure.save()
    letter.full_clean(exclude=["status"])
    letter.save()
    LetterTeamMember.objects.create(
        letter=letter, name=coordinator.get_full_name(), profession=letter.pilot_profession, team_role="Pilote"
    )
    LetterProfession.objects.create(letter=letter, profession="Médecins généralistes", count=9 + index)
    LetterProfession.objects.create(letter=letter, profession="Infirmiers", count=18 + 2 * index)
    if complete:
        LetterTeamMember.objects.create(
            letter=letter, name="Dr Hélène Garrigues" if not reunion else "Dr Jean-Marc Payet", profession="Médecin",
            team_role="Présidente de l'association de préfiguration",
        )  # fmt: skip
        LetterProfession.objects.create(letter=letter, profession="Pharmaciens", count=6)
        LetterProfession.objects.create(letter=letter, profession="Masseurs-kinésithérapeutes", count=8)
    return letter


def _opinion(letter: IntentionLetter, organisation: Organisation, overall: str, comment: str) -> None:
    reviewer = _user(organisation, Role.REVIEWER)
    if reviewer is None:
        return
    grid = letter_grid(letter)
    criteria = list(grid.criteria.all()) if grid else []
    answers = {c: (overall if i else F, "" if overall == F else comment) for i, c in enumerate(criteria)}
    opinion_give(letter=letter, by=reviewer, overall=overall, comment=comment, answers=answers)


def _letter_circuit(letter: IntentionLetter) -> StageCircuit:
    circuit = letter_settings(letter).circuit(Stage.LETTER)
    assert circuit is not None, "every demo region has its letter circuit (accounts.demo)"
    return circuit


def _desk(letter: IntentionLetter) -> Organisation:
    desk = _letter_circuit(letter).desk
    assert desk is not None, "every demo letter circuit has its desk (accounts.demo)"
    return desk


def _reviewers(letter: IntentionLetter) -> list[Organisation]:
    return sorted(_letter_circuit(letter).reviewers.all(), key=lambda o: o.pk)


OPINION_COMMENTS: dict[str, str] = {
    F: "Projet cohérent avec les besoins du territoire ; la mobilisation des professionnels est réelle.",
    R: "Avis réservé : la place des pharmaciens et des kinésithérapeutes dans l'équipe projet reste à préciser.",
}


def _opinions(letter: IntentionLetter, organisations: list[Organisation], pattern: list[str]) -> None:
    for organisation, overall in zip(organisations, pattern, strict=False):
        _opinion(letter, organisation, overall, OPINION_COMMENTS[overall])


def _answer_complements(letter: IntentionLetter, coordinator) -> None:
    """What the coordinator changes after the request: a fuller team and the professions asked for."""
    letter.refresh_from_db()
    LetterTeamMember.objects.create(
        letter=letter, name="Mathieu Cazals", profession="Pharmacien", team_role="Trésorier"
    )
    LetterProfession.objects.create(letter=letter, profession="Sages-femmes", count=3)
    letter.needs += " Les pharmacies du territoire signalent aussi des ruptures de suivi à la sortie d'hôpital."
    letter.save()
    letter_submit(letter=letter, by=coordinator, comment="Compléments apportés : équipe projet et professions.")


COMPLEMENT_COMMENTS = {
    "needs": "Appuyez les besoins sur les chiffres du diagnostic (patients sans médecin traitant, urgences).",
    "professionals.professions": "Précisez le nombre de pharmaciens et de sages-femmes engagés.",
    "subsidy.amount": "Détaillez l'usage de la subvention demandée (coordination, outils).",
}


def _walk_guichet(letter: IntentionLetter, coordinator, stage: DemoStage) -> None:
    """Occitanie: the Guichet takes the letter, the 10 URPS give their opinion, the Guichet consolidates and
    transmits, the ARS decides."""
    desk = _desk(letter)
    desk_user = _user(desk, Role.REVIEWER)
    urps = _reviewers(letter)
    letter_submit(letter=letter, by=coordinator)
    letter_open_review(letter=letter, by=desk_user)
    if stage == DemoStage.REVIEW:
        _opinions(letter, urps, [F, F, R, F])
        message_post(
            letter=letter, by=coordinator, body="Nous pouvons présenter le projet aux URPS lors d'une visioconférence."
        )
        note_add(letter=letter, by=desk_user, body="Relancer l'URPS Pharmaciens la semaine prochaine.")
        return
    if stage == DemoStage.COMPLEMENTS:
        _opinions(letter, urps, [R, F, F])
        letter_request_complements(
            letter=letter,
            by=desk_user,
            reason=ComplementReason.INCOMPLETE,
            message="Merci de compléter la lettre sur les points indiqués avant que nous recueillions les avis.",
            field_comments=COMPLEMENT_COMMENTS,
        )
        return
    if stage == DemoStage.PREPARED:
        # Seven URPS answered; the Guichet does not wait for the last three and says why (issue 12, point 11);
        # an ARS agent prepares the decision, which waits for a decider's signature.
        _opinions(letter, urps, [F, F, F, R, F, F, F])
        _opinion(letter, desk, F, "Avis consolidé favorable ; trois URPS n'ont pas répondu.")
        letter_transmit(
            letter=letter,
            by=desk_user,
            comment="Sept avis sur dix, tous favorables ou réservés : le projet doit démarrer avant l'été.",
        )
        _prepare(letter)
        return
    # Validated: a first round with complements, then the new version reviewed by all and transmitted.
    _opinions(letter, urps, [R, F])
    letter_request_complements(
        letter=letter,
        by=desk_user,
        reason=ComplementReason.INCOMPLETE,
        message="L'équipe projet ne compte que des médecins et des infirmiers : précisez les autres professions.",
        field_comments={"team": "Ajoutez un pharmacien ou un kinésithérapeute à l'équipe projet."},
    )
    _answer_complements(letter, coordinator)
    letter_open_review(letter=letter, by=desk_user)
    _opinions(letter, urps, [F, F, F, R, F, F, F, F, R, F])
    _opinion(letter, desk, F, "Avis consolidé favorable : les URPS soutiennent le projet, deux avec réserves.")
    letter_transmit(letter=letter, by=desk_user, comment="Dossier complet, avis des 10 URPS joints.")
    _decide(letter)


def _walk_copil(letter: IntentionLetter, coordinator, stage: DemoStage) -> None:
    """La Réunion: the COPIL examines the letter and the ARS (sitting in the COPIL) decides."""
    copil = _desk(letter)
    copil_user = _user(copil, Role.REVIEWER)
    letter_submit(letter=letter, by=coordinator)
    letter_open_review(letter=letter, by=copil_user)
    if stage == DemoStage.REVIEW:
        _opinion(letter, copil, R, "Projet crédible ; préciser la place des thématiques prioritaires de l'ARS.")
        message_post(
            letter=letter, by=copil_user, body="Le COPIL vous propose une première rencontre le mois prochain."
        )
        return
    if stage == DemoStage.PREPARED:
        _opinion(letter, copil, F, "Le COPIL valide la crédibilité et la pertinence du projet.")
        _prepare(letter)
        return
    letter_request_complements(
        letter=letter,
        by=copil_user,
        reason=ComplementReason.INCOMPLETE,
        message="Le COPIL demande de préciser les besoins et les professionnels mobilisés.",
        field_comments={k: v for k, v in COMPLEMENT_COMMENTS.items() if k != "subsidy.amount"},
    )
    if stage == DemoStage.COMPLEMENTS:
        return
    _answer_complements(letter, coordinator)
    letter_open_review(letter=letter, by=copil_user)
    _opinion(letter, copil, F, "Le COPIL valide la crédibilité et la pertinence du projet.")
    _decide(letter)


MOTIVE = "Projet cohérent avec le diagnostic territorial ; avis favorables des organisations consultées."
SUPPORT_DAYS = 20  # days of a structure d'appui granted where the region funds support (La Réunion)


def _ars_user(letter: IntentionLetter, role: str):
    region = letter.instructing_region_id or letter.cpts.region_id
    membership = (
        Membership.objects.filter(organisation__kind=OrganisationKind.ARS, organisation__region_id=region, role=role)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def _prepare(letter: IntentionLetter) -> None:
    """An ARS agent instructs the dossier and prepares the decision (outcome, motive, support) for a decider."""
    agent = _ars_user(letter, Role.AGENT)
    if agent is None:
        return
    support = letter_settings(letter).funds_support
    letter_prepare_decision(
        letter=letter,
        by=agent,
        outcome=DecisionOutcome.VALIDATED,
        motive=MOTIVE,
        support_days=SUPPORT_DAYS if support else None,
        commitment_months=letter_settings(letter).support_months if support else None,
    )


def _decide(letter: IntentionLetter) -> None:
    """The agent prepares, a decider of the same ARS signs as prepared."""
    _prepare(letter)
    decider = _ars_user(letter, Role.DECIDER)
    if decider is None:
        return
    support = letter_settings(letter).funds_support
    letter_decide(
        letter=letter,
        by=decider,
        outcome=DecisionOutcome.VALIDATED,
        motive=MOTIVE,
        decided_on=timezone.localdate(),
        support_days=SUPPORT_DAYS if support else None,
        commitment_months=letter_settings(letter).support_months if support else None,
    )
    if letter_settings(letter).identity_sheet_required:
        _identity_sheet(letter)


def _identity_sheet(letter: IntentionLetter) -> None:
    """La Réunion's fiche signalétique, filled by the coordinator once the letter is validated."""
    letter.refresh_from_db()
    coordinator = _user(letter.cpts, Role.COORDINATOR)
    if coordinator is None:
        return
    territory = getattr(letter.cpts, "territory", None)
    entries = list(territory.entries.select_related("commune")) if territory else []
    main = max(entries, key=lambda e: e.commune.population or 0).commune.name if entries else ""
    orientations = OrientationOption.objects.order_by("order")[:4]
    form = IdentitySheetForm(
        data={
            "cpts_name": letter.cpts.name,
            "contact_email": coordinator.email,
            "main_town": main,
            "population": sum(e.commune.population or 0 for e in entries) or "",
            "orientations": [o.pk for o in orientations],
        }
    )
    if not form.is_valid():
        raise ValueError(f"Demo fiche signalétique: {form.errors.as_text()}")
    identity_sheet_save(letter=letter, by=coordinator, form=form)


# --- The health project ------------------------------------------------------------------------------------------

# (mission code, sub-mission code, title, sub-theme, indicator template code) of the fiches written by hand, per
# region; the others start from the worked examples of the mission catalogue.
# (mission, sub-mission, title, sub-theme, indicator template) of the fiches a CPTS writes itself, by region.
OWN_SHEETS: dict[str, list[tuple[str, str | None, str, str, str]]] = {
    "76": [
        ("2", None, "Parcours insuffisance cardiaque : sortie d'hospitalisation coordonnée", "Insuffisance cardiaque",
         "2-nombre-parcours"),
        ("3", None, "Dépistage organisé du cancer colorectal avec les pharmacies", "Dépistage des cancers",
         "3-actions-prevention"),
        ("1", "1B", "Plages de soins non programmés le samedi matin", "Soins non programmés",
         "1b-consultations-snp"),
    ],
    "04": [
        ("2", None, "Parcours périnatalité : sortie de maternité coordonnée", "Périnatalité", "2-nombre-parcours"),
        ("3", None, "Repérage précoce des troubles du neurodéveloppement de l'enfant", "Troubles du neurodéveloppement",
         "3-patients-prevention"),
        ("2", None, "Parcours de la personne âgée à domicile dans les Hauts", "Personnes âgées", "2-patients-parcours"),
    ],
}  # fmt: skip
EXAMPLES = [
    "1a-medecin-traitant-patients-fragiles",
    "1b-orientation-soins-non-programmes",
    "2-parcours-territoriaux",
    "3-prevention-obesite",
    "4-gestion-crise-sanitaire",
]


def _form_data(sheet: ActionSheet, **changes) -> dict:
    """The fiche form as the browser would post it, from the saved fiche, with ``changes``."""
    data: dict = {}
    for name, value in model_to_dict(sheet, fields=ActionSheetForm.Meta.fields).items():
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif value is None:
            data[name] = ""
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        else:
            data[name] = value
    for name, value in changes.items():
        data[name] = [m.pk for m in value] if isinstance(value, list) else getattr(value, "pk", value)
    data["version"] = sheet.version
    return data


def _fill_sheet(sheet: ActionSheet, *, by, cpts, pilot: Member, group: list[Member], n: int, **changes) -> ActionSheet:
    signature = sheet.plan.planned_signature_date
    if signature is None:  # _action_plan plans a signature date
        raise ValueError(f"Demo plan of « {sheet.plan} » has no planned signature date")
    defaults = {
        "pilot": pilot,
        "working_group": group,
        "budget_estimate": sheet.budget_estimate or Decimal(6000 + 1500 * n),
        "preparation_start": sheet.preparation_start or signature,
        "start_date": sheet.start_date or signature + dt.timedelta(days=180),
        "end_date": sheet.end_date or signature + dt.timedelta(days=4 * 365),
    }
    form = ActionSheetForm(data=_form_data(sheet, **{**defaults, **changes}), instance=sheet, cpts=cpts)
    if not form.is_valid():
        raise ValueError(f"Demo fiche « {sheet.title} »: {form.errors.as_text()}")
    return action_sheet_update(sheet_id=sheet.pk, by=by, expected_version=sheet.version, form=form)


def _add_indicator(sheet: ActionSheet, *, by, template_code: str) -> None:
    template = IndicatorTemplate.objects.get(code=template_code)
    data = {
        "template": template.pk,
        "kind": template.kind,
        "label": template.label,
        "unit": template.unit,
        "direction": template.direction,
        "source": template.source,
        "baseline_value": "12",
        "baseline_date": "2025-12-31",
        "is_funding": "on" if sheet.mission.requires_funding_indicator else "",
    }
    if sheet.mission.has_result_target or template.kind != "result":
        # Progressive yearly targets (seed 000), away from the baseline in the indicator's direction.
        step = -1 if template.direction == "decreasing" else 1
        data |= {f"target_{year}": str(12 + step * year) for year in range(1, 6)}
    form = SheetIndicatorForm(data=data, sheet=sheet)
    if not form.is_valid():
        raise ValueError(f"Demo indicator of « {sheet.title} »: {form.errors.as_text()}")
    indicator_save(sheet=sheet, by=by, form=form)


def _action_plan(cpts: Organisation, coordinator) -> ActionPlan:
    """Eight fiches over the four core missions (five from the worked examples, three written by the CPTS), each
    with a pilot, a working group and indicators; four validated, two validated by their pilot, two drafts."""
    today = timezone.localdate()
    signature = dt.date(today.year + (today.month + 6 > 12), (today.month + 6 - 1) % 12 + 1, 1)
    plan = action_plan_create(cpts=cpts, by=coordinator, planned_signature_date=signature)
    members = list(Member.objects.filter(cpts=cpts, profession__isnull=False).order_by("pk"))
    sheets = [
        action_sheet_create_from_example(plan=plan, by=coordinator, example=example)
        for example in ActionExample.objects.filter(code__in=EXAMPLES).order_by("mission__order", "order")
    ]
    own = []
    for mission_code, sub_code, title, sub_theme, template in OWN_SHEETS.get(cpts.region.code, OWN_SHEETS["76"]):
        mission = Mission.objects.get(code=mission_code)
        sub = SubMission.objects.get(code=sub_code) if sub_code else None
        sheet = action_sheet_create(plan=plan, by=coordinator, mission=mission, title=title, sub_mission=sub)
        own.append((sheet, sub_theme, template))
    for n, sheet in enumerate(sheets):
        _fill_sheet(sheet, by=coordinator, cpts=cpts, pilot=members[n % len(members)],
                    group=members[n + 1: n + 4], n=n)  # fmt: skip
    # The member with a portal account pilots a draft fiche: they validate it themselves (issue 12, point 20).
    with_account = Member.objects.filter(cpts=cpts, user__isnull=False).first()
    for n, (sheet, sub_theme, template) in enumerate(own, start=len(sheets)):
        pilot = with_account if with_account and n == 6 else members[n % len(members)]
        _fill_sheet(
            sheet, by=coordinator, cpts=cpts, pilot=pilot, group=members[n + 1: n + 3], n=n,
            sub_theme=sub_theme,
            problems="Les professionnels du territoire signalent des ruptures de parcours et des doublons.",
            objectives="Organiser la coordination entre ville et hôpital ; former les professionnels volontaires.",
            target_public="Patients du territoire concernés et leurs aidants",
        )  # fmt: skip
        _add_indicator(sheet, by=coordinator, template_code=template)
        sheets.append(sheet)
    for n, sheet in enumerate(sheets[:6]):
        sheet = ActionSheet.objects.get(pk=sheet.pk)
        if not sheet.indicators.exists():
            continue
        comment = "Validée par la coordination pour le pilote, qui n'a pas encore de compte sur le portail."
        sheet = action_sheet_validate_by_pilot(sheet=sheet, by=coordinator, comment=comment)
        if n < 4:
            action_sheet_validate(sheet=sheet, by=coordinator, comment="Indicateurs et budget vérifiés.")
    return plan


def _budget(cpts: Organisation, coordinator, plan: ActionPlan) -> None:
    territory = getattr(cpts, "territory", None)
    population = sum(e.commune.population or 0 for e in territory.entries.select_related("commune")) if territory else 0
    budget = budget_save_parameters(
        organisation=cpts,
        by=coordinator,
        signed_on=plan.planned_signature_date or timezone.localdate(),
        missions=["1", "2", "3", "4"],
        population=population or None,
        members=Member.objects.filter(cpts=cpts).count(),
    )
    seed_budget_demo(budget, by=coordinator)  # mission 1 split between 1A and 1B, every part balanced, complete


def _health_project(cpts: Organisation, coordinator) -> None:
    if not HealthProject.objects.filter(cpts=cpts).exists():
        project = health_project_start(cpts=cpts, user=coordinator)
        president = Member.objects.filter(cpts=cpts, mandates__role="president").first()
        health_project_update(
            project=project,
            data={
                "project_date": timezone.localdate(),
                "representative_name": president.display_name if president else "",
                "representative_profession": str(president.profession) if president else "",
                "coordinator_name": coordinator.get_full_name(),
                "coordinator_email": coordinator.email,
                "governance_description": "Un bureau de trois membres, un conseil d'administration de douze membres "
                "élus par collège de profession, une assemblée générale annuelle.",
                "ways_of_working": "Messagerie sécurisée de santé, Mon espace santé, un espace partagé de documents ; "
                "réunion plénière trimestrielle.",
                "quality_evaluation": "Au moins un indicateur par action ; revue des indicateurs deux fois par an "
                "par le bureau avec les pilotes, bilan présenté à l'assemblée générale et transmis à la CPAM et à "
                "l'ARS.",
            },
        )
    if not ActionPlan.objects.filter(cpts=cpts).exists():
        _action_plan(cpts, coordinator)
    seed_actions_demo(ActionPlan.objects.get(cpts=cpts), by=coordinator)  # inventories, an action outside the ACI
    if not Budget.objects.filter(organisation=cpts).exists():
        _budget(cpts, coordinator, ActionPlan.objects.get(cpts=cpts))


# --- The health project's review (issue 16) ----------------------------------------------------------------------

# How far the health project of a demo CPTS (its letter validated) goes: deposited with opinions under way, or
# validated tacitly after two months of silence. The others stay in writing (the Lauragais: its fiches in every state).
HEALTH_PROJECT_STAGES = {
    "CPTS du Volvestre": HealthProjectStatus.DEPOSITED,
    "CPTS Sud Réunion": HealthProjectStatus.VALIDATED_TACITLY,
}
# The reviewing organisations of the Occitanie circuit that have already given their opinion on the deposited one.
OPINIONS_GIVEN = {
    "ARS Occitanie – DD Haute-Garonne": (F, "Projet cohérent avec le diagnostic ; vigilance sur le recrutement."),
    "CPAM de la Haute-Garonne": (F, "Engagements de la mission 1 conformes à l'ACI."),
    "Guichet CPTS Occitanie": (R, "Associer davantage les kinésithérapeutes et les pharmaciens."),
}
TACIT_SHIFT = dt.timedelta(days=75)  # the tacit CPTS deposited its project 75 days ago


def _ready_for_approval(cpts: Organisation, coordinator) -> None:
    """What the coordinators finish before validating the project internally: every fiche validated by its pilot
    and by the coordination, then the plan."""
    plan = ActionPlan.objects.get(cpts=cpts)
    funding = next(i for i in action_plan_page(plan).checklist.items if i.code == "funding_indicators")
    if not funding.ok:  # La Réunion's fiches of mission 1 have no funding indicator yet: the ALD patients' one
        sheet = ActionSheet.objects.filter(plan=plan, is_archived=False, mission__code="1").order_by("pk").first()
        assert sheet is not None  # the examples give every core mission a fiche
        _add_indicator(sheet, by=coordinator, template_code="1a-ald-sans-mt")
    for sheet in ActionSheet.objects.filter(plan=plan, is_archived=False).select_related("pilot"):
        if sheet.status == "draft":
            if sheet.pilot is not None and sheet.pilot.user_id is not None:
                sheet = action_sheet_validate_by_pilot(sheet=sheet, by=sheet.pilot.user, comment="Relue et validée.")
            else:
                sheet = action_sheet_validate_for_pilot(sheet=sheet, by=coordinator)
        if sheet.status == "pilot_validated":
            action_sheet_validate(sheet=sheet, by=coordinator, comment="Indicateurs et budget vérifiés.")
    plan = ActionPlan.objects.get(pk=plan.pk)
    if plan.status != "validated":
        page = action_plan_page(plan)
        action_plan_validate(plan=plan, by=coordinator, checklist=page.checklist, all_validated=page.all_validated)


def _members_sign(project: HealthProject) -> None:
    """Every member signs the version through their single-use link (the governance services: the token is the
    one the e-mail would carry)."""
    signature_round = signature_round_current(project)
    assert signature_round is not None  # project_approve opened it
    for signature in signature_round.signatures.select_related("round", "member").filter(signed_at__isnull=True):
        token = signature_link_issue(signature=signature)
        signature_sign(token=token, seen_sha256=signature_round.sha256, ip_address=None, user_agent="Démo")


def _shift_back(project: HealthProject, delta: dt.timedelta) -> None:
    """Move every date of the project's review ``delta`` into the past, as if it had been deposited then."""
    rows = rows_of(project)
    HealthProject.objects.filter(pk=project.pk).update(deposited_at=F_("deposited_at") - delta)
    DossierVersion.objects.filter(rows).update(submitted_at=F_("submitted_at") - delta)
    StatusTransition.objects.filter(rows).update(at=F_("at") - delta)
    Deadline.objects.filter(rows).update(due_at=F_("due_at") - delta, alert_at=F_("alert_at") - delta)
    ExpectedOpinion.objects.filter(rows).update(requested_at=F_("requested_at") - delta, due_at=F_("due_at") - delta)
    Event.objects.filter(rows).update(created_at=F_("created_at") - delta)
    ExpectedOpinion.objects.filter(rows).update(received_at=F_("received_at") - delta)
    Opinion.objects.filter(rows_of(project, via="version__")).update(created_at=F_("created_at") - delta)
    SignatureRound.objects.filter(object_id=project.pk, cpts=project.cpts).update(opened_at=F_("opened_at") - delta)
    Signature.objects.filter(round__object_id=project.pk, round__cpts=project.cpts).update(
        signed_at=F_("signed_at") - delta, signed_on=F_("signed_on") - delta
    )


def _walk_health_project(cpts: Organisation, coordinator, target: str) -> None:
    """Internal validation, the members' signatures, the deposit at the ARS through the real services; then the
    opinions under way (deposited), or two months of silence and the scan (validated tacitly). Once."""
    project = HealthProject.objects.get(cpts=cpts)
    if project.current_version_number or project.status != HealthProjectStatus.DRAFT:
        return
    _ready_for_approval(cpts, coordinator)
    project_approve(project=project, by=coordinator, comment="Projet relu et validé par le bureau.")
    _members_sign(project)
    project_deposit(project=project, by=coordinator)
    if target == HealthProjectStatus.DEPOSITED:
        for organisation in Organisation.objects.filter(name__in=OPINIONS_GIVEN).order_by("name"):
            overall, comment = OPINIONS_GIVEN[organisation.name]
            author = _user(organisation, Role.AGENT) or _user(organisation, Role.REVIEWER)
            answers = _grid_answers(project, overall)
            project_give_opinion(project=project, by=author, overall=overall, comment=comment, answers=answers)
    elif target == HealthProjectStatus.VALIDATED_TACITLY:
        cgss = Organisation.objects.filter(kind=OrganisationKind.CGSS, region=cpts.region).first()
        if cgss is not None and (author := _user(cgss, Role.AGENT)):
            answers = _grid_answers(project, F)
            project_give_opinion(project=project, by=author, overall=F, comment="Avis favorable.", answers=answers)
        _shift_back(project, TACIT_SHIFT)
        health_projects_scan()


def _grid_answers(project: HealthProject, overall: str) -> dict:
    grid = project_grid(project_settings(project))
    return {c.pk: (overall, "") for c in grid.criteria.all()} if grid else {}


# --- Entry point -------------------------------------------------------------------------------------------------


@transaction.atomic
def seed_dossier_demo(cpts: Organisation, *, coordinator, stage: str, index: int = 0) -> IntentionLetter:
    """Bring the CPTS's letter to ``stage`` (once) and, when validated, its health project in progress."""
    letter = IntentionLetter.objects.filter(cpts=cpts).order_by("pk").first()
    if letter is None:
        letter = _write_letter(cpts, coordinator, complete=stage != DemoStage.DRAFT, index=index)
    if stage != DemoStage.DRAFT and letter.status == LetterStatus.DRAFT and letter.current_version_number == 0:
        if not CarryingStructure.objects.filter(cpts=cpts, siret__gt="").exists():
            letter.delete()  # the half-written draft of a run without communes: write it whole
            letter = _write_letter(cpts, coordinator, complete=True, index=index)
        settings = letter_settings(letter)
        walk = _walk_guichet if settings and settings.letter_circuit == LetterCircuit.GUICHET_URPS else _walk_copil
        walk(letter, coordinator, DemoStage(stage))
        letter.refresh_from_db()
    if letter.status == LetterStatus.VALIDATED:
        _health_project(cpts, coordinator)
        if target := HEALTH_PROJECT_STAGES.get(cpts.name):
            _walk_health_project(cpts, coordinator, target)
    return letter


# Kept for callers of the first demo (a single draft letter).
def seed_letters_demo(cpts) -> IntentionLetter | None:
    coordinator = _user(cpts, Role.COORDINATOR)
    return seed_dossier_demo(cpts, coordinator=coordinator, stage=DemoStage.DRAFT) if coordinator else None
