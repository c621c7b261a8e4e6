"""Factories of the dossier: a regional circuit (Occitanie's Guichet + URPS, La Réunion's COPIL), a territory,
and a complete intention letter ready to submit."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from accounts.choices import LetterCircuit, LetterFunding, OrganisationKind, Role, Stage
from accounts.models import Organisation, RegionalSettings, StageCircuit
from accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from diagnostics.models import Commune, Territory, TerritoryCommune
from projects.choices import CarryingStage, LegalForm
from projects.models import CarryingStructure, IntentionLetter, LetterProfession, LetterTeamMember

VALID_SIRET = "73282932000074"


@dataclass
class Circuit:
    region: object
    settings: RegionalSettings
    desk: Organisation
    desk_user: object
    reviewers: list = field(default_factory=list)  # organisations asked for an opinion
    reviewer_users: list = field(default_factory=list)  # one reviewer per organisation, same order
    ars: Organisation | None = None
    ars_agent: object = None
    ars_decider: object = None
    ars_dd_agent: object = None


def occitanie_circuit(region, *, urps_count: int = 3, reuse: list | None = None) -> Circuit:
    """The Guichet CPTS, ``urps_count`` URPS (plus the reused ones) and the ARS of ``region``."""
    guichet = OrganisationFactory(name="Guichet CPTS", kind=OrganisationKind.GUICHET, region=region)
    desk_user = MembershipFactory(organisation=guichet, role=Role.REVIEWER, user__first_name="Gaëlle").user
    professions = [
        "infirmiers",
        "pharmaciens",
        "kines",
        "dentistes",
        "sages_femmes",
        "orthophonistes",
        "orthoptistes",
        "podologues",
        "biologistes",
        "medecins",
    ]
    reviewers, reviewer_users = [], []
    for org in reuse or []:
        reviewers.append(org)
        reviewer_users.append(org.memberships.get(role=Role.REVIEWER).user)
    for profession in professions[: max(0, urps_count - len(reviewers))]:
        urps = OrganisationFactory(
            name=f"URPS {profession}", kind=OrganisationKind.URPS, region=region, profession=profession
        )
        reviewers.append(urps)
        reviewer_users.append(MembershipFactory(organisation=urps, role=Role.REVIEWER).user)
    ars = OrganisationFactory(name="ARS", kind=OrganisationKind.ARS, region=region)
    settings = RegionalSettings.objects.create(
        region=region,
        valid_from=dt.date(2019, 6, 1),
        letter_circuit=LetterCircuit.GUICHET_URPS,
        fir_engineering_amount=Decimal("50000"),
        fir_instalments=2,
        fir_period_months=6,
    )
    letter_circuit = StageCircuit.objects.create(
        settings=settings, stage=Stage.LETTER, desk=guichet, opinion_delay_days=21, grid_code="lettre-guichet-urps"
    )
    letter_circuit.reviewers.set(reviewers)
    from accounts.tests.factories import DepartementFactory

    dd = OrganisationFactory(
        name="ARS DD", kind=OrganisationKind.ARS_DD, region=region, departement=DepartementFactory(region=region)
    )
    return Circuit(
        region=region,
        settings=settings,
        desk=guichet,
        desk_user=desk_user,
        reviewers=reviewers,
        reviewer_users=reviewer_users,
        ars=ars,
        ars_agent=MembershipFactory(organisation=ars, role=Role.AGENT).user,
        ars_decider=MembershipFactory(organisation=ars, role=Role.DECIDER).user,
        ars_dd_agent=MembershipFactory(organisation=dd, role=Role.AGENT).user,
    )


def reunion_circuit(region) -> Circuit:
    copil = OrganisationFactory(name="COPIL exercice coordonné", kind=OrganisationKind.COPIL, region=region)
    copil_user = MembershipFactory(organisation=copil, role=Role.REVIEWER).user
    ars = OrganisationFactory(name="ARS La Réunion", kind=OrganisationKind.ARS, region=region)
    settings = RegionalSettings.objects.create(
        region=region,
        valid_from=dt.date(2019, 6, 1),
        letter_circuit=LetterCircuit.COPIL,
        first_meeting_delay_days=15,
        support_months=9,
        letter_funding=LetterFunding.SUPPORT,
        identity_sheet_required=True,
        priority_themes="Diabète et obésité\nMorbidité et mortalité périnatales\n"
        "Troubles neuro-développementaux de l'enfant\nPersonnes âgées",
    )
    letter_circuit = StageCircuit.objects.create(
        settings=settings, stage=Stage.LETTER, desk=copil, opinion_delay_days=15, grid_code="lettre-copil"
    )
    letter_circuit.reviewers.set([copil])
    return Circuit(
        region=region,
        settings=settings,
        desk=copil,
        desk_user=copil_user,
        reviewers=[copil],
        reviewer_users=[copil_user],
        ars=ars,
        ars_decider=MembershipFactory(organisation=ars, role=Role.DECIDER).user,
    )


_insee = iter(range(31001, 31999))


def territory_for(cpts, *, communes: list[tuple[str, int]] | None = None, region=None) -> Territory:
    """A territory with whole communes (name, population), plus one commune taken in part."""
    territory = Territory.objects.create(cpts=cpts, instructing_region=region or cpts.region)
    for name, population in communes or [("Villefranche-de-Lauragais", 4_800), ("Revel", 9_900)]:
        code = str(next(_insee))
        commune = Commune.objects.create(
            insee_code=code, name=name, postal_codes=[f"3{code[1:]}"], population=population, region=cpts.region
        )
        TerritoryCommune.objects.create(territory=territory, commune=commune)
    return territory


def complete_letter(cpts, *, with_territory: bool = True, **overrides) -> IntentionLetter:
    """A draft with every field the completeness panel asks for."""
    if with_territory and not Territory.objects.filter(cpts=cpts).exists():
        territory_for(cpts)
    structure, _created = CarryingStructure.objects.update_or_create(
        cpts=cpts,
        stage=CarryingStage.LETTER,
        defaults={
            "name": "Association de préfiguration du Lauragais",
            "siret": VALID_SIRET,
            "legal_form": LegalForm.PREFIGURATION,
            "address": "1 place de la Mairie",
        },
    )
    values = {
        "pilot_name": "Dr Camille Martin",
        "pilot_profession": "Médecin généraliste",
        "contact_email": "pilote@exemple.fr",
        "needs": "Accès difficile à un médecin traitant pour 12 % des patients en ALD.",
        "information_actions": "Questionnaire envoyé aux 180 professionnels, deux réunions publiques.",
        "project_description": "Une CPTS rurale centrée sur l'accès aux soins et les parcours.",
        "commits_access": True,
        "commits_pathways": True,
        "commits_prevention": True,
        "commits_crisis": True,
        "objectives": "Trouver un médecin traitant à chaque patient en ALD.",
        "means": "Temps de coordination et outils de messagerie sécurisée.",
        "partners_associated": "Hôpital de proximité",
        "subsidy_amount": Decimal("50000.00"),
        **overrides,
    }
    letter = IntentionLetter.objects.create(cpts=cpts, carrying_structure=structure, **values)
    LetterTeamMember.objects.create(letter=letter, name="Camille Martin", profession="Médecin", team_role="Pilote")
    LetterProfession.objects.create(letter=letter, profession="Médecins généralistes", count=12)
    LetterProfession.objects.create(letter=letter, profession="Infirmiers", count=20)
    return letter


def user_in(organisation, role):
    return MembershipFactory(organisation=organisation, role=role, user=UserFactory()).user
