"""Demo members, partners, bureau, referents and information actions of "CPTS du Lauragais (projet)".

Called by ``accounts.demo.seed_demo``; idempotent: every row is found or created by its natural key.
"""

import datetime as dt

from django.db import transaction

from accounts.models import Organisation
from diagnostics.models import Commune

from .choices import BodyKind, InclusionActionKind, MandateRole, MemberNature
from .models import Body, InclusionAction, Mandate, Member, Partner, Profession, Referent, StructureType

D = dt.date

# (last name, first name, profession code, RPPS, INSEE code, joined, in governance, took part in writing)
PROFESSIONALS = [
    ("Garrigues", "Hélène", "medecin_generaliste", "10000001346", "11076", D(2024, 3, 12), True, True),
    ("Fabre", "Julien", "medecin_generaliste", "10000000058", "11076", D(2024, 3, 12), True, True),
    ("Rouquette", "Sophie", "infirmier", "10000000124", "31113", D(2024, 3, 12), True, True),
    ("Cazals", "Mathieu", "pharmacien", "10000000157", "11076", D(2024, 4, 2), True, False),
    ("Bonnet", "Claire", "masseur_kinesitherapeute", "10000000181", "31582", D(2024, 4, 2), False, True),
    ("Alquier", "Thomas", "sage_femme", "10000000215", "11076", D(2024, 5, 21), False, False),
    ("Vidal", "Léa", "orthophoniste", "10000000249", "31113", D(2024, 6, 4), False, True),
    ("Marty", "Pierre", "chirurgien_dentiste", "10000000272", "11076", D(2024, 9, 10), False, False),
    ("Esquirol", "Anne", "psychologue", "", "31582", D(2025, 1, 14), False, False),
]
# (name, structure type code, SIRET, FINESS, INSEE code, joined)
STRUCTURES = [
    ("MSP du Lauragais", "msp", "73282932000074", "", "11076", D(2024, 3, 12)),
    ("Centre hospitalier de Castelnaudary", "etablissement_sante", "", "110780061", "11076", D(2024, 6, 1)),
]
PARTNERS = [
    # (name, representative, INSEE code, formalised, in governance)
    ("Dispositif d'appui à la coordination de l'Aude", "Mme la directrice", "11069", True, True),
    ("CHU de Toulouse", "M. le directeur général", "31555", False, False),
]
BUREAU = [("Garrigues", MandateRole.PRESIDENT), ("Rouquette", MandateRole.SECRETARY), ("Cazals", MandateRole.TREASURER)]
ACTIONS = [
    (D(2024, 2, 6), InclusionActionKind.MEETING, "Réunion publique de présentation à Castelnaudary", 48),
    (D(2024, 2, 20), InclusionActionKind.QUESTIONNAIRE, "Questionnaire aux professionnels du territoire", 112),
    (D(2024, 3, 1), InclusionActionKind.MAILING, "Courrier aux officines et cabinets", 230),
]


def _commune(code: str):
    return Commune.objects.filter(insee_code=code).first()


@transaction.atomic
def seed_governance_demo(cpts: Organisation) -> None:
    if not Profession.objects.exists():
        return  # the professions fixture is not loaded: nothing to attach members to
    members = {}
    for last, first, profession, rpps, insee, joined, governance, writing in PROFESSIONALS:
        lookup = {"rpps": rpps} if rpps else {"last_name": last, "first_name": first}
        member, _ = Member.objects.get_or_create(
            cpts=cpts,
            **lookup,
            defaults={
                "nature": MemberNature.PROFESSIONAL,
                "last_name": last,
                "first_name": first,
                "profession": Profession.objects.get(code=profession),
                "practice_mode": "liberal",
                "commune": _commune(insee),
                "email": f"{first.lower()}.{last.lower()}@demo.portail-cpts.fr".replace("é", "e").replace("è", "e"),
                "joined_on": joined,
                "in_governance": governance,
                "took_part_in_writing": writing,
            },
        )
        members[last] = member
    for name, kind, siret, finess, insee, joined in STRUCTURES:
        lookup = {"siret": siret} if siret else {"finess": finess}
        Member.objects.get_or_create(
            cpts=cpts,
            **lookup,
            defaults={
                "nature": MemberNature.STRUCTURE,
                "last_name": name,
                "structure_type": StructureType.objects.get(code=kind),
                "siret": siret,
                "finess": finess,
                "commune": _commune(insee),
                "joined_on": joined,
                "membership_kind": "partner",
            },
        )
    for name, representative, insee, formalised, governance in PARTNERS:
        Partner.objects.get_or_create(
            cpts=cpts,
            name=name,
            defaults={
                "representative": representative,
                "commune": _commune(insee),
                "is_formalised": formalised,
                "in_governance": governance,
                "review_due_on": D(2026, 3, 1) if formalised else None,
            },
        )
    Body.objects.get_or_create(
        cpts=cpts,
        kind=BodyKind.GENERAL_ASSEMBLY,
        defaults={"voting_rights": "Une voix par membre actif, deux pouvoirs au plus ; membres partenaires sans vote."},
    )
    bureau, _ = Body.objects.get_or_create(cpts=cpts, kind=BodyKind.BUREAU)
    for last, role in BUREAU:
        Mandate.objects.get_or_create(
            body=bureau, member=members[last], role=role, defaults={"started_on": D(2024, 3, 12)}
        )
    Referent.objects.get_or_create(
        cpts=cpts, kind="crisis", member=members["Fabre"], defaults={"started_on": D(2024, 9, 1)}
    )
    Referent.objects.get_or_create(
        cpts=cpts,
        kind="mission_pilot",
        member=members["Bonnet"],
        mission="Mission 2 – parcours pluriprofessionnels",
        defaults={"started_on": D(2024, 9, 1)},
    )
    for date, kind, title, reached in ACTIONS:
        InclusionAction.objects.get_or_create(
            cpts=cpts, date=date, title=title, defaults={"kind": kind, "audience_reached": reached}
        )
