"""Demo content of the actions side of a health project: each mission's inventory and objectives (seed 003) and an
action outside the ACI, on a plan whose fiches the dossier demo (``projects.demo``) wrote.

Idempotent: an inventory is written only for a mission that has none, the action outside the ACI only when the plan
has none; every write goes through the services, as a coordinator's would.
"""

import datetime as dt

from django.db import transaction

from governance.models import Member

from .forms import ActionSheetForm, SheetIndicatorForm
from .models import ActionPlan, ActionSheet, Mission, MissionIntro
from .services import action_sheet_create, action_sheet_update, indicator_save, mission_intro_save

# Per mission: inventory of the existing offer, objectives for patients and population, priority target, objectives
# for the actors involved (seed 003; the situations of seed 000 part 3).
INTROS = {
    "1": (
        "Six médecins généralistes sur dix ont plus de 60 ans ; deux MSP et un centre de santé accueillent de nouveaux "
        "patients au compte-gouttes. Une maison médicale de garde ouvre le week-end à Castelnaudary ; le SAS "
        "départemental régule les demandes de soins non programmés.",
        "Trouver un médecin traitant aux patients qui n'en ont pas, en priorité les plus fragiles ; obtenir une "
        "réponse dans la journée à une demande de soins non programmés en ville.",
        "Patients en ALD et patients de plus de 70 ans sans médecin traitant.",
        "Répartir l'accueil des nouveaux patients entre médecins volontaires ; organiser des créneaux de soins non "
        "programmés partagés et leur lien avec le SAS.",
    ),
    "2": (
        "Le DAC de l'Aude coordonne les situations complexes ; l'hôpital de proximité de Castelnaudary et le CHU de "
        "Toulouse ont chacun leur filière de sortie ; peu de protocoles communs entre la ville et l'hôpital.",
        "Éviter les ruptures de parcours à la sortie d'hospitalisation et le maintien à domicile des personnes âgées "
        "sans coordination.",
        "Personnes âgées polypathologiques sortant d'hospitalisation.",
        "Partager des protocoles pluriprofessionnels, une messagerie sécurisée et une fiche de liaison avec les "
        "établissements et le DAC.",
    ),
    "3": (
        "Actions ponctuelles de la CPAM (dépistage des cancers) et de la ville (activité physique adaptée) ; pas de "
        "programme coordonné par les professionnels de ville ; taux de dépistage inférieurs à la moyenne régionale.",
        "Augmenter la participation aux dépistages organisés et prévenir l'obésité de l'enfant.",
        "Enfants de 6 à 11 ans en surpoids et leurs familles.",
        "Engager médecins, pharmaciens, infirmiers et diététiciens dans des actions communes avec les écoles et la "
        "ville ; former les volontaires à l'éducation thérapeutique.",
    ),
    "4": (
        "Le plan blanc de l'hôpital de proximité et le plan communal de sauvegarde existent ; les professionnels de "
        "ville n'y ont pas de rôle défini ; la crise sanitaire de 2020 s'est gérée au cas par cas.",
        "Maintenir l'accès aux soins de la population pendant une crise sanitaire grave.",
        "Patients vulnérables isolés à domicile.",
        "Tenir un annuaire des professionnels mobilisables, un plan de réponse de la CPTS et un exercice annuel avec "
        "l'ARS et les communes.",
    ),
    "5": (
        "Deux groupes de pairs existent entre médecins ; aucun retour d'expérience pluriprofessionnel.",
        "Améliorer la pertinence des prescriptions, en particulier des antibiotiques.",
        "",
        "Réunir des comités de retour d'expérience et des revues de pertinence pluriprofessionnels.",
    ),
    "6": (
        "Le territoire attire peu d'internes ; aucune offre d'accueil commune des nouveaux installés.",
        "Maintenir une offre de soins suffisante par l'installation de jeunes professionnels.",
        "",
        "Accueillir les stagiaires et les nouveaux installés ; présenter le territoire aux facultés.",
    ),
}
OUTSIDE_TITLE = "Forum santé annuel avec les associations d'usagers"


def _intros(plan: ActionPlan, *, by) -> None:
    engaged = set(ActionSheet.objects.filter(plan=plan, is_archived=False).values_list("mission_id", flat=True))
    written = set(MissionIntro.objects.filter(plan=plan).values_list("mission_id", flat=True))
    for mission in Mission.objects.filter(code__in=INTROS):
        if mission.pk in written or not (mission.is_core or mission.pk in engaged):
            continue
        existing_offer, patient_objectives, priority_target, actor_objectives = INTROS[mission.code]
        data = {
            "existing_offer": existing_offer,
            "patient_objectives": patient_objectives,
            "priority_target": priority_target,
            "actor_objectives": actor_objectives,
        }
        mission_intro_save(plan=plan, mission=mission, by=by, data=data)


def _outside_action(plan: ActionPlan, *, by) -> None:
    """An action outside the ACI (seed 003 "autres actions hors champ ACI"): in the plan and its macro-planning,
    never funded."""
    mission = Mission.objects.filter(category="outside").first()
    if mission is None or ActionSheet.objects.filter(plan=plan, mission=mission).exists():
        return
    pilot = (
        Member.objects.filter(cpts=plan.cpts, profession__isnull=False, contact_consent_on__isnull=False)
        .exclude(postal_address="")
        .order_by("pk")
        .first()
    )
    sheet = action_sheet_create(plan=plan, by=by, mission=mission, title=OUTSIDE_TITLE)
    signature = plan.planned_signature_date or dt.date.today()
    data = {
        "title": OUTSIDE_TITLE,
        "mission": mission.pk,
        "sub_mission": "",
        "pilot": pilot.pk if pilot else "",
        "problems": "Les usagers connaissent mal l'offre de soins du territoire et les actions de la CPTS.",
        "objectives": "Présenter chaque année l'offre de soins et les actions de la CPTS aux habitants.",
        "target_public": "Habitants du territoire, associations d'usagers et élus",
        "preparation_start": (signature - dt.timedelta(days=60)).isoformat(),
        "start_date": (signature + dt.timedelta(days=240)).isoformat(),
        "end_date": (signature + dt.timedelta(days=4 * 365)).isoformat(),
        "budget_estimate": "2500",
        "version": sheet.version,
    }
    form = ActionSheetForm(data=data, instance=sheet, cpts=plan.cpts)
    if not form.is_valid():
        raise ValueError(f"Demo fiche « {OUTSIDE_TITLE} »: {form.errors.as_text()}")
    sheet = action_sheet_update(sheet_id=sheet.pk, by=by, expected_version=sheet.version, form=form)
    indicator = SheetIndicatorForm(
        data={"kind": "action", "label": "Nombre de participants au forum", "unit": "personnes",
              "direction": "increasing", "source": "Feuilles d'émargement", "baseline_value": "0"},
        sheet=sheet,
    )  # fmt: skip
    if not indicator.is_valid():
        raise ValueError(f"Demo indicator of « {OUTSIDE_TITLE} »: {indicator.errors.as_text()}")
    indicator_save(sheet=sheet, by=by, form=indicator)


@transaction.atomic
def seed_actions_demo(plan: ActionPlan, *, by) -> None:
    """Complete a demo plan: an action outside the ACI, then each mission's inventory and objectives."""
    _outside_action(plan, by=by)
    _intros(plan, by=by)
