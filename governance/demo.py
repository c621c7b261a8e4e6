"""Demo members, partners, bodies, mandates, referents and information actions of the demo CPTS.

Called by ``accounts.demo.seed_demo`` for each demo CPTS; idempotent: every row is found or created by its natural
key (RPPS, SIRET or FINESS for members; body kind; member and role for mandates). The CPTS du Lauragais keeps its
named founders (the README and the tests speak of them); the others get professionals with plausible names and
valid RPPS numbers (Luhn), spread over the communes of their territory.
"""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from stdnum import luhn

from accounts.models import Organisation, User
from diagnostics.models import Commune

from .choices import BodyKind, DocumentKind, InclusionActionKind, MandateRole, MemberNature
from .models import (
    Body,
    GovernanceDocument,
    InclusionAction,
    Mandate,
    Member,
    Partner,
    Profession,
    Referent,
    StructureType,
)
from .services import document_upload, invitation_accept, mandate_create, member_invite, referent_create

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

# Generated members: names by region (mainland, La Réunion), professions in the proportions of a rural CPTS.
LAST_NAMES = {
    "mainland": [
        "Barthe", "Castex", "Delpech", "Escande", "Fourcade", "Galy", "Izard", "Lacaze", "Mazières", "Noguès",
        "Pujol", "Rességuier", "Sabatier", "Taillefer", "Vergnes", "Abadie", "Bories", "Cassagne", "Durand",
        "Estrade", "Ferran", "Gineste", "Lafforgue", "Montels", "Pradal", "Roumagnac", "Salvan", "Tournier",
        "Azéma", "Baylac", "Carrère", "Dupuy", "Espinasse", "Faure", "Gayraud", "Laborde",
    ],
    "reunion": [
        "Payet", "Hoarau", "Grondin", "Técher", "Boyer", "Robert", "Rivière", "Lebon", "Maillot", "Dijoux",
        "Nativel", "Turpin", "Bègue", "Hoareau", "Lauret", "Morel", "Ethève", "Clain", "Gonthier", "Fontaine",
        "Sautron", "Mussard", "Baillif", "Cadet", "Huet", "Latchimy", "Ramassamy", "Vitry", "Lepinay", "Damour",
        "Fontaine", "Ah-Hot", "Thazar", "Valentin", "Naze", "Corré",
    ],
}  # fmt: skip
FIRST_NAMES = [
    "Laure", "Nicolas", "Émilie", "Benoît", "Chloé", "Olivier", "Manon", "Xavier", "Pauline", "Romain", "Inès",
    "Guillaume", "Marion", "Sébastien", "Julie", "Florent", "Aurore", "Vincent", "Lucie", "Damien", "Élodie",
    "Frédéric", "Anaïs", "Jérôme", "Céline", "Yannick", "Mélanie", "Cédric", "Sandrine", "Thierry", "Noémie",
    "Arnaud", "Camille", "Hugo", "Margaux", "Quentin",
]  # fmt: skip
PROFESSION_CYCLE = [
    "medecin_generaliste", "infirmier", "pharmacien", "infirmier", "masseur_kinesitherapeute", "medecin_generaliste",
    "infirmier", "sage_femme", "orthophoniste", "pharmacien", "chirurgien_dentiste", "infirmier", "dieteticien",
    "medecin_specialiste", "pedicure_podologue", "psychologue", "masseur_kinesitherapeute", "orthoptiste",
]  # fmt: skip
# The status the health project lists for each adherent (seed 003): a structure's is its kind.
STRUCTURE_PRACTICE = {"msp": "msp", "centre_sante": "centre_sante", "esp": "esp", "ess": "ess"}
STATUTES_HTML = """<html lang="fr"><body><h1>{title}</h1><p>{cpts}</p>
<p>Document de démonstration : les statuts et le règlement intérieur d'une CPTS réelle sont ses propres textes
(modèle de statuts : annexe 3 du guide, seed 000).</p></body></html>"""
PRACTICE = {"medecin_generaliste": "liberal", "infirmier": "liberal", "pharmacien": "liberal"}
FOUNDED = D(2024, 9, 3)
STREETS = ["rue de la République", "avenue de la Gare", "place du Marché", "rue des Écoles", "chemin du Moulin"]
NO_CONSENT_EVERY = 9  # one member in nine has not (yet) consented to their contact being sent to the ARS


def _rpps(index: int) -> str:
    """A well-formed RPPS (11 digits, Luhn key) that no real professional has (the 1001… range is demo only)."""
    base = f"1001{index:06d}"
    return base + luhn.calc_check_digit(base)


def _commune(code: str | None):
    return Commune.objects.filter(insee_code=code).first() if code else None


def _email(first: str, last: str) -> str:
    ascii_name = f"{first}.{last}".lower()
    for accented, plain in (("é", "e"), ("è", "e"), ("ë", "e"), ("ï", "i"), ("ô", "o"), ("ç", "c"), (" ", "-")):
        ascii_name = ascii_name.replace(accented, plain)
    return f"{ascii_name}@demo.portail-cpts.fr"


def _lauragais_members(cpts: Organisation) -> dict[str, Member]:
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
                "email": _email(first, last),
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
                "practice_mode": STRUCTURE_PRACTICE.get(kind, "etablissement"),
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
    for date, kind, title, reached in ACTIONS:
        InclusionAction.objects.get_or_create(
            cpts=cpts, date=date, title=title, defaults={"kind": kind, "audience_reached": reached}
        )
    return members


def _generated_members(cpts: Organisation, *, count: int, communes: Sequence[str], offset: int) -> list[Member]:
    """``count`` professionals, joined over the year before the letter, spread over the territory's communes."""
    names = LAST_NAMES["reunion" if cpts.region.code == "04" else "mainland"]
    professions = {p.code: p for p in Profession.objects.filter(code__in=set(PROFESSION_CYCLE))}
    commune_rows = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=communes)}
    result = []
    for i in range(count):
        last, first = names[i % len(names)], FIRST_NAMES[(i * 7 + offset) % len(FIRST_NAMES)]
        code = PROFESSION_CYCLE[i % len(PROFESSION_CYCLE)]
        member, _ = Member.objects.get_or_create(
            cpts=cpts,
            rpps=_rpps(offset * 1000 + i),
            defaults={
                "nature": MemberNature.PROFESSIONAL,
                "last_name": last,
                "first_name": first,
                "profession": professions[code],
                "practice_mode": PRACTICE.get(code, "liberal"),
                "commune": commune_rows.get(communes[i % len(communes)]) if communes else None,
                "email": _email(first, last),
                "joined_on": FOUNDED - dt.timedelta(days=(i * 11) % 330),
                "took_part_in_writing": i % 3 == 0,
            },
        )
        result.append(member)
    return result


def _professional_contacts(cpts: Organisation) -> None:
    """Every member gets a professional address and phone (Annexe 7 asks them of a fiche's pilot and working group)
    and, but one in ``NO_CONSENT_EVERY``, their consent to the contact being sent to the ARS in the fiches action.
    Only members without an address are touched, so a second run changes nothing."""
    members = list(
        Member.objects.filter(cpts=cpts, postal_address="").select_related("commune").order_by("nature", "pk")
    )
    first = Member.objects.filter(cpts=cpts).exclude(postal_address="").count()
    for index, member in enumerate(members, start=first):
        commune = member.commune
        town = f"{(commune.postal_codes or [''])[0]} {commune.name}".strip() if commune else "31000 Toulouse"
        member.postal_address = f"{index % 40 + 1} {STREETS[index % len(STREETS)]}, {town}"
        if not member.phone:
            member.phone = f"05 61 {20 + index % 70:02d} {index * 7 % 100:02d} {index * 13 % 100:02d}"
        if index % NO_CONSENT_EVERY != NO_CONSENT_EVERY - 1:
            member.contact_consent_on = max(member.joined_on, FOUNDED)
    Member.objects.bulk_update(members, ["postal_address", "phone", "contact_consent_on"])


@transaction.atomic
def _member_with_account(cpts: Organisation, *, user: User, invited_by: User) -> Member:
    """The member behind a demo login of the CPTS: invited by the coordinator and the invitation accepted, as a
    pilot joins the portal (``member_invite`` then ``invitation_accept``)."""
    member = Member.objects.filter(cpts=cpts, email=user.email).first()
    if member is None:
        member = Member(
            cpts=cpts,
            nature=MemberNature.PROFESSIONAL,
            last_name=user.last_name,
            first_name=user.first_name,
            profession=Profession.objects.get(code="infirmier"),
            practice_mode="liberal",
            email=user.email,
            joined_on=FOUNDED - dt.timedelta(days=30),
            took_part_in_writing=True,
        )
        member.full_clean()
        member.save()
    if member.user_id is None:
        invitation, _token = member_invite(member=member, invited_by=invited_by)
        invitation_accept(invitation=invitation, user=user)
    return member


@transaction.atomic
def _statutes(cpts: Organisation, *, by: User) -> None:
    """The association's statutes and internal rules, as uploaded PDFs (a CPTS writing its health project has them)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cpts_portal.pdf import html_to_pdf

    for kind, title in ((DocumentKind.STATUTES, "Statuts de l'association"), (DocumentKind.INTERNAL_RULES,
                        "Règlement intérieur")):  # fmt: skip
        if GovernanceDocument.objects.filter(cpts=cpts, kind=kind).exists():
            continue
        content = html_to_pdf(STATUTES_HTML.format(title=title, cpts=cpts.name))
        document_upload(
            cpts=cpts,
            kind=kind,
            title=title,
            uploaded=SimpleUploadedFile(f"{kind}.pdf", content, content_type="application/pdf"),
            uploaded_by=by,
            document_date=FOUNDED,
        )


def seed_governance_demo(
    cpts: Organisation,
    *,
    size: int = 11,
    full: bool = True,
    communes: Sequence[str] = (),
    offset: int = 0,
    member_login: User | None = None,
    coordinator: User | None = None,
) -> None:
    """Members for every demo CPTS (``size`` in all, ``member_login``'s among them, linked to that account); with
    ``full``, the bodies of the association (general assembly, board, bureau), their mandates, referents and
    partners, as a CPTS writing its health project has."""
    if not Profession.objects.exists():
        return  # the professions fixture is not loaded: nothing to attach members to
    founders = _lauragais_members(cpts) if cpts.name == "CPTS du Lauragais (projet)" else {}
    with_account = member_login is not None and coordinator is not None
    if member_login is not None and coordinator is not None:
        _member_with_account(cpts, user=member_login, invited_by=coordinator)
    count = size - len(founders) - len(STRUCTURES if founders else []) - int(with_account)
    generated = _generated_members(cpts, count=max(count, 0), communes=communes, offset=offset)
    _professional_contacts(cpts)
    Body.objects.get_or_create(
        cpts=cpts,
        kind=BodyKind.GENERAL_ASSEMBLY,
        defaults={"voting_rights": "Une voix par membre actif, deux pouvoirs au plus ; membres partenaires sans vote."},
    )
    if not full:
        return
    people = list(founders.values()) + generated
    bureau_people = [founders[last] for last, _role in BUREAU] if founders else generated[:3]
    bureau, _ = Body.objects.get_or_create(cpts=cpts, kind=BodyKind.BUREAU)
    board, _ = Body.objects.get_or_create(
        cpts=cpts,
        kind=BodyKind.BOARD,
        defaults={
            "notes": "Douze administrateurs élus par l'assemblée générale pour trois ans, un collège par profession."
        },
    )
    roles = [MandateRole.PRESIDENT, MandateRole.SECRETARY, MandateRole.TREASURER]
    for member, role in zip(bureau_people, roles, strict=True):
        if not Mandate.objects.filter(body=bureau, member=member, role=role).exists():
            mandate_create(body=bureau, member=member, role=role, started_on=max(member.joined_on, FOUNDED))
    board_people = bureau_people + [m for m in people if m not in bureau_people][:9]
    for member in board_people:
        if not Mandate.objects.filter(body=board, member=member).exists():
            started = max(member.joined_on, FOUNDED)
            mandate_create(body=board, member=member, role=MandateRole.DIRECTOR, started_on=started)
    referents = [
        ("crisis", people[1], ""),
        ("quality", people[2], ""),
        ("mission_pilot", people[4], "Mission 2 – parcours pluriprofessionnels"),
        ("mission_pilot", people[5], "Mission 1 – accès aux soins"),
    ]
    for kind, member, mission in referents:
        if not Referent.objects.filter(cpts=cpts, kind=kind, member=member, mission=mission).exists():
            referent_create(
                cpts=cpts, kind=kind, member=member, mission=mission, started_on=max(member.joined_on, FOUNDED)
            )
    if coordinator is not None:
        _statutes(cpts, by=coordinator)
    if not founders:
        Partner.objects.get_or_create(
            cpts=cpts,
            name="Centre hospitalier de proximité",
            defaults={"representative": "Mme la directrice", "is_formalised": False, "in_governance": True},
        )
        InclusionAction.objects.get_or_create(
            cpts=cpts,
            date=D(2024, 6, 18),
            title="Soirée de présentation du projet aux professionnels du territoire",
            defaults={"kind": InclusionActionKind.MEETING, "audience_reached": 41},
        )
