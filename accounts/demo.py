"""The demo world loaded by ``manage.py seed_demo``: idempotent, every row found or created by its key.

Each region holds one CPTS at every stage of the intention letter that exists (``DEMO_CPTS``): a draft, a letter in
review with some opinions in, complements requested, and a validated letter whose CPTS writes its health project
(action plan, members and governance, budget). The letters are walked through their circuit by the real transition
services (``projects.demo``), as the people of the demo would have done it, so versions, opinions, expected opinions,
deadlines and the log exist as a user would produce them.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import transaction

from .choices import LetterCircuit, LetterFunding, OrganisationKind, ProjectSection, Role, Stage, UrpsProfession
from .models import Departement, Organisation, Region, RegionalSettings, StageCircuit, TemplateSection, User
from .services import membership_grant

# A demo credential, documented in the README and printed by the command; never used in production
# (seed_demo refuses to run there).
DEMO_PASSWORD = "demo-cpts-2026"

# Reference fixtures loaded before the demo world; later stages append theirs.
REFERENCE_FIXTURES = [
    "regions",
    "funding_scales",
    "professions",
    "missions",
    "action_examples",
    "indicators",
    "opinion_grids",
    "letter_orientations",
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    first_name: str
    last_name: str
    organisation: str
    role: str


class DemoStage(StrEnum):
    """How far the letter of a demo CPTS has gone (the stages that exist today)."""

    DRAFT = "draft"  # a letter half written, never submitted
    REVIEW = "review"  # submitted, taken by the desk, some opinions in
    COMPLEMENTS = "complements"  # the desk asked for complements, the CPTS has to answer
    PREPARED = "prepared"  # opinions in (Occitanie: transmitted with some missing), decision prepared, to be signed
    VALIDATED = "validated"  # decided, with the health project in progress (fiches, members, budget)


@dataclass(frozen=True)
class DemoCpts:
    name: str
    region: str
    departement: str
    stage: DemoStage
    communes: tuple[str, ...]  # INSEE codes of the territory (real communes, disjoint between CPTS)
    coordinator: str  # e-mail of its coordinator (a demo login)
    members: int  # how many professionals and structures adhere (governance.demo)


OCCITANIE, REUNION, ILE_DE_FRANCE = "76", "04", "11"
CPTS_NAME = "CPTS du Lauragais (projet)"

DEMO_CPTS = [
    DemoCpts(
        CPTS_NAME,
        OCCITANIE,
        "31",
        DemoStage.VALIDATED,
        # Real communes of the Lauragais (Haute-Garonne), those of the demo indicators file.
        tuple(
            "31582 31004 31048 31381 31210 31589 31374 31396 31037 31450 31057 31106 31113 31151 31161 31162".split()
        ),
        "coordination@demo.portail-cpts.fr",
        36,
    ),
    DemoCpts(
        "CPTS du Frontonnais",
        OCCITANIE,
        "31",
        DemoStage.DRAFT,
        ("31079", "31118", "31136", "31202", "31211", "31515", "31516", "31563", "31581", "31587"),
        "coordination-frontonnais@demo.portail-cpts.fr",
        8,
    ),
    DemoCpts(
        "CPTS des Coteaux du Girou",
        OCCITANIE,
        "31",
        DemoStage.REVIEW,
        tuple(
            "31049 31074 31212 31215 31216 31228 31273 31285 31358 "
            "31383 31388 31407 31459 31489 31501 31511 31573 31579".split()
        ),
        "coordination-girou@demo.portail-cpts.fr",
        14,
    ),
    DemoCpts(
        "CPTS du Bassin auterivain",
        OCCITANIE,
        "31",
        DemoStage.COMPLEMENTS,
        tuple(
            "31024 31027 31033 31052 31128 31145 31173 31206 31231 "
            "31233 31256 31263 31264 31319 31330 31345 31442 31572 31574".split()
        ),
        "coordination-auterivain@demo.portail-cpts.fr",
        12,
    ),
    DemoCpts(
        "CPTS du Muretain",
        OCCITANIE,
        "31",
        DemoStage.PREPARED,
        tuple(
            "31087 31165 31166 31181 31187 31203 31248 31253 31269 31287 31395 31420 31421 "
            "31433 31458 31460 31464 31466 31475 31486 31499 31518 31533 31547 31580".split()
        ),
        "coordination-muretain@demo.portail-cpts.fr",
        24,
    ),
    # Its letter validated, its health project deposited at the ARS with the opinions under way (issue 16).
    DemoCpts(
        "CPTS du Volvestre",
        OCCITANIE,
        "31",
        DemoStage.VALIDATED,
        tuple("31107 31455 31525 31320 31104 31399 31303 31334 31416 31492 31361 31258 31219".split()),
        "coordination-volvestre@demo.portail-cpts.fr",
        30,
    ),
    # La Réunion has 24 communes: its CPTS cover a few large ones each (a micro-region).
    DemoCpts(
        "CPTS Sud Réunion",
        REUNION,
        "974",
        DemoStage.VALIDATED,
        ("97422", "97403", "97412", "97417"),  # Le Tampon, Entre-Deux, Saint-Joseph, Saint-Philippe
        "coordination-sud@demo.portail-cpts.fr",
        32,
    ),
    DemoCpts(
        "CPTS Nord Réunion",
        REUNION,
        "974",
        DemoStage.PREPARED,
        ("97411", "97418", "97420"),  # Saint-Denis, Sainte-Marie, Sainte-Suzanne
        "coordination-nord@demo.portail-cpts.fr",
        20,
    ),
    DemoCpts(
        "CPTS de l'Est réunionnais",
        REUNION,
        "974",
        DemoStage.DRAFT,
        ("97402", "97406", "97409", "97410", "97419", "97421"),
        "coordination-est@demo.portail-cpts.fr",
        6,
    ),
    DemoCpts(
        "CPTS de l'Ouest réunionnais",
        REUNION,
        "974",
        DemoStage.REVIEW,
        ("97407", "97408", "97413", "97415", "97423"),
        "coordination-ouest@demo.portail-cpts.fr",
        12,
    ),
    DemoCpts(
        "CPTS Sud-Ouest Réunion",
        REUNION,
        "974",
        DemoStage.COMPLEMENTS,
        ("97401", "97404", "97405", "97414", "97416", "97424"),
        "coordination-sud-ouest@demo.portail-cpts.fr",
        10,
    ),
]

ORGANISATIONS = (
    [
        # (name, kind, region code, département code, profession)
        ("Opérateur du Portail CPTS", OrganisationKind.OPERATOR, ILE_DE_FRANCE, None, ""),
        ("Guichet CPTS Occitanie", OrganisationKind.GUICHET, OCCITANIE, None, ""),
        ("ARS Occitanie", OrganisationKind.ARS, OCCITANIE, None, ""),
        ("ARS Occitanie – DD Haute-Garonne", OrganisationKind.ARS_DD, OCCITANIE, "31", ""),
        ("CPAM de la Haute-Garonne", OrganisationKind.CPAM, OCCITANIE, "31", ""),
        ("ELSM de la Haute-Garonne", OrganisationKind.ELSM, OCCITANIE, "31", ""),
        ("MSA Midi-Pyrénées Sud", OrganisationKind.MSA, OCCITANIE, None, ""),
        ("ARS La Réunion", OrganisationKind.ARS, REUNION, None, ""),
        ("CGSS La Réunion", OrganisationKind.CGSS, REUNION, None, ""),
        ("COPIL exercice coordonné La Réunion", OrganisationKind.COPIL, REUNION, None, ""),
    ]
    + [(c.name, OrganisationKind.CPTS, c.region, c.departement, "") for c in DEMO_CPTS]
    + [
        (f"URPS {label} Occitanie", OrganisationKind.URPS, OCCITANIE, None, value)
        for value, label in UrpsProfession.choices
    ]
)

_COORDINATORS = {
    "coordination-frontonnais@demo.portail-cpts.fr": ("Fanny", "Frontonnais"),
    "coordination-girou@demo.portail-cpts.fr": ("Gilles", "Girou"),
    "coordination-auterivain@demo.portail-cpts.fr": ("Aurélie", "Auterive"),
    "coordination-muretain@demo.portail-cpts.fr": ("Mélanie", "Muret"),
    "coordination-volvestre@demo.portail-cpts.fr": ("Victor", "Volvestre"),
    "coordination-sud@demo.portail-cpts.fr": ("Sabine", "Payet"),
    "coordination-nord@demo.portail-cpts.fr": ("Nicolas", "Boyer"),
    "coordination-est@demo.portail-cpts.fr": ("Emmanuel", "Hoarau"),
    "coordination-ouest@demo.portail-cpts.fr": ("Océane", "Grondin"),
    "coordination-sud-ouest@demo.portail-cpts.fr": ("Louis", "Técher"),
}
# Each URPS gives its opinion through one reviewer (the first two have the short historical addresses).
_URPS_REVIEWERS = {
    UrpsProfession.MEDECINS: ("urps-medecins", "Hugo", "Médecin"),
    UrpsProfession.INFIRMIERS: ("urps-infirmiers", "Inès", "Infirmière"),
    UrpsProfession.PHARMACIENS: ("urps-pharmaciens", "Paul", "Pharmacien"),
    UrpsProfession.KINES: ("urps-kines", "Karine", "Kiné"),
    UrpsProfession.DENTISTES: ("urps-dentistes", "Denis", "Dentiste"),
    UrpsProfession.SAGES_FEMMES: ("urps-sages-femmes", "Sarah", "Sage-femme"),
    UrpsProfession.ORTHOPHONISTES: ("urps-orthophonistes", "Olivia", "Orthophoniste"),
    UrpsProfession.ORTHOPTISTES: ("urps-orthoptistes", "Oscar", "Orthoptiste"),
    UrpsProfession.PODOLOGUES: ("urps-podologues", "Pauline", "Podologue"),
    UrpsProfession.BIOLOGISTES: ("urps-biologistes", "Bruno", "Biologiste"),
}

LOGINS = (
    [
        DemoLogin("admin@demo.portail-cpts.fr", "Alice", "Admin", "Opérateur du Portail CPTS", Role.ADMINISTRATOR),
        DemoLogin("coordination@demo.portail-cpts.fr", "Camille", "Coordinatrice", CPTS_NAME, Role.COORDINATOR),
        DemoLogin("membre@demo.portail-cpts.fr", "Marc", "Membre", CPTS_NAME, Role.MEMBER),
    ]
    + [
        DemoLogin(c.coordinator, *_COORDINATORS[c.coordinator], c.name, Role.COORDINATOR)
        for c in DEMO_CPTS
        if c.coordinator in _COORDINATORS
    ]
    + [
        DemoLogin("membre-sud@demo.portail-cpts.fr", "Nathalie", "Fontaine", "CPTS Sud Réunion", Role.MEMBER),
        DemoLogin("guichet@demo.portail-cpts.fr", "Gaëlle", "Guichet", "Guichet CPTS Occitanie", Role.REVIEWER),
    ]
    + [
        DemoLogin(f"{prefix}@demo.portail-cpts.fr", first, last, f"URPS {label} Occitanie", Role.REVIEWER)
        for (prefix, first, last), label in zip(_URPS_REVIEWERS.values(), UrpsProfession.labels, strict=True)
    ]
    + [
        DemoLogin("ars-agent@demo.portail-cpts.fr", "Arthur", "Agent", "ARS Occitanie", Role.AGENT),
        DemoLogin("ars-decision@demo.portail-cpts.fr", "Diane", "Décision", "ARS Occitanie", Role.DECIDER),
        DemoLogin(
            "ars-dd31@demo.portail-cpts.fr", "Damien", "Délégation", "ARS Occitanie – DD Haute-Garonne", Role.AGENT
        ),
        DemoLogin("cpam@demo.portail-cpts.fr", "Claire", "Caisse", "CPAM de la Haute-Garonne", Role.AGENT),
        DemoLogin("elsm@demo.portail-cpts.fr", "Éric", "Médecin-conseil", "ELSM de la Haute-Garonne", Role.AGENT),
        DemoLogin("msa@demo.portail-cpts.fr", "Maud", "Agricole", "MSA Midi-Pyrénées Sud", Role.AGENT),
        DemoLogin("ars-reunion@demo.portail-cpts.fr", "Rémi", "Réunion", "ARS La Réunion", Role.DECIDER),
        DemoLogin("ars-agent-reunion@demo.portail-cpts.fr", "Anaïs", "Rivière", "ARS La Réunion", Role.AGENT),
        DemoLogin(
            "copil-reunion@demo.portail-cpts.fr",
            "Coralie",
            "Copil",
            "COPIL exercice coordonné La Réunion",
            Role.REVIEWER,
        ),
        DemoLogin("cgss@demo.portail-cpts.fr", "Gilles", "CGSS", "CGSS La Réunion", Role.AGENT),
    ]
)


def _organisations() -> dict[str, Organisation]:
    regions = {r.code: r for r in Region.objects.all()}
    departements = {d.code: d for d in Departement.objects.all()}
    result = {}
    for name, kind, region_code, dep_code, profession in ORGANISATIONS:
        org, _ = Organisation.objects.get_or_create(
            region=regions[region_code],
            kind=kind,
            name=name,
            defaults={"departement": departements.get(dep_code) if dep_code else None, "profession": profession},
        )
        result[name] = org
    return result


def _regional_settings(orgs: dict[str, Organisation]) -> None:
    occitanie, _ = RegionalSettings.objects.get_or_create(
        region=Region.objects.get(code=OCCITANIE),
        valid_from=dt.date(2019, 6, 1),
        defaults={
            "letter_circuit": LetterCircuit.GUICHET_URPS,
            "fir_engineering_amount": Decimal("50000"),
            "fir_instalments": 2,
            "fir_period_months": 6,
            # The DD Haute-Garonne and the CPAM de la Haute-Garonne act for the CPTS of their département only.
            "departmental_bodies_region_wide": False,
            "notes": "Guide du Guichet CPTS Occitanie : avis des 10 URPS, FIR de 50 000 € en 2 versements sur 6 mois.",
        },
    )
    _circuit(
        occitanie,
        Stage.LETTER,
        desk=orgs["Guichet CPTS Occitanie"],
        reviewers=[o for o in orgs.values() if o.kind == OrganisationKind.URPS],
        opinion_delay_days=21,
        grid_code="lettre-guichet-urps",
    )
    # Seed 000: the ARS receives the health project and gathers, within its 2-month non-opposition delay, the
    # opinions of its departmental delegation, the CPAM, the MSA, the Inter-URPS (here the Guichet, the joint desk
    # of the 10 URPS) and the ELSM; the contract is signed with the CPAM.
    _circuit(
        occitanie,
        Stage.HEALTH_PROJECT,
        desk=orgs["ARS Occitanie"],
        reviewers=[
            orgs["ARS Occitanie – DD Haute-Garonne"],
            orgs["CPAM de la Haute-Garonne"],
            orgs["MSA Midi-Pyrénées Sud"],
            orgs["Guichet CPTS Occitanie"],
            orgs["ELSM de la Haute-Garonne"],
        ],
        opinion_delay_days=30,
        decision_delay_months=2,
        grid_code=HEALTH_PROJECT_GRID,
    )
    _template_sections(occitanie, OCCITANIE_TEMPLATE)
    _circuit(
        occitanie,
        Stage.CONTRACT,
        desk=orgs["ARS Occitanie"],
        reviewers=[orgs["CPAM de la Haute-Garonne"]],
        opinion_delay_days=21,
    )
    reunion, _ = RegionalSettings.objects.get_or_create(
        region=Region.objects.get(code=REUNION),
        valid_from=dt.date(2019, 6, 1),
        defaults={
            "letter_circuit": LetterCircuit.COPIL,
            "first_meeting_delay_days": 15,
            "support_months": 9,
            "letter_funding": LetterFunding.SUPPORT,
            "identity_sheet_required": True,
            "priority_themes": "Diabète et obésité\nMorbidité et mortalité périnatales\n"
            "Troubles neuro-développementaux de l'enfant\nPersonnes âgées",
            "notes": "Cahier des charges ARS La Réunion : première rencontre sous 15 jours, "
            "accompagnement par une structure d'appui jusqu'à 9 mois.",
        },
    )
    _circuit(
        reunion,
        Stage.LETTER,
        desk=orgs["COPIL exercice coordonné La Réunion"],
        reviewers=[orgs["COPIL exercice coordonné La Réunion"]],
        opinion_delay_days=15,
        grid_code="lettre-copil",
    )
    # Seed 004: the health project goes to the ARS and to the Assurance Maladie (the CGSS here), non-opposition
    # within 2 months; the contract is signed with the CGSS.
    _circuit(
        reunion,
        Stage.HEALTH_PROJECT,
        desk=orgs["ARS La Réunion"],
        reviewers=[orgs["CGSS La Réunion"]],
        opinion_delay_days=30,
        decision_delay_months=2,
        grid_code=HEALTH_PROJECT_GRID,
    )
    _template_sections(reunion, REUNION_TEMPLATE)
    _circuit(
        reunion,
        Stage.CONTRACT,
        desk=orgs["ARS La Réunion"],
        reviewers=[orgs["CGSS La Réunion"]],
        opinion_delay_days=21,
    )


def _circuit(settings: RegionalSettings, stage: str, *, desk, reviewers, **values) -> StageCircuit:
    circuit, _ = StageCircuit.objects.get_or_create(settings=settings, stage=stage, defaults={"desk": desk, **values})
    circuit.reviewers.set(reviewers)
    return circuit


# The ARS's analysis grid of a health project (seed 000 Annexe 9, fixtures/opinion_grids.json), named by each region's
# health project circuit: a region with its own grid names another code.
HEALTH_PROJECT_GRID = "projet-de-sante-annexe-9"
S = ProjectSection
# Seed 003 (the ARS template of the health project): identity, diagnostic, actions by mission, macro-planning,
# organisation, ways of working and information system, budget, quality and evaluation, annexes.
OCCITANIE_TEMPLATE = [
    (S.IDENTITY, "Structure juridique porteuse du projet de la CPTS"),
    (S.DIAGNOSTIC, "Diagnostic territorial de la CPTS"),
    (S.ACTIONS, "Actions de la CPTS selon les missions définies par l'ACI"),
    (S.PLANNING, "Macro-planning des actions"),
    (S.ORGANISATION, "Organisation de la CPTS"),
    (S.INFORMATION_SYSTEM, "Modalités de fonctionnement et système d'information"),
    (S.BUDGET, "Budget prévisionnel"),
    (S.QUALITY, "Démarche qualité et évaluation"),
    (S.ANNEXES, "Annexes : statuts, fiches action, liste des adhérents"),
]
# Seed 004 (La Réunion's "trame du projet de santé"): the territory and its needs, then the organisation of the CPTS
# (its members' lists, governance, coordination), then the actions to consider by mission.
REUNION_TEMPLATE = [
    (S.IDENTITY, "La CPTS et sa structure porteuse"),
    (S.DIAGNOSTIC, "Le territoire et ses besoins"),
    (S.ORGANISATION, "L'organisation de la CPTS"),
    (S.ACTIONS, "Les actions à envisager par mission"),
    (S.PLANNING, "Calendrier des actions"),
    (S.INFORMATION_SYSTEM, "La coordination et le système d'information"),
    (S.BUDGET, "Budget"),
    (S.QUALITY, "Qualité et évaluation"),
    (S.ANNEXES, "Annexes : statuts, fiches action, listes des membres"),
]


def _template_sections(settings: RegionalSettings, rows) -> None:
    """The region's template of the health project (TemplateSection rows), and its grid on a circuit made before."""
    for order, (code, title) in enumerate(rows, start=1):
        TemplateSection.objects.get_or_create(settings=settings, code=code, defaults={"title": title, "order": order})
    StageCircuit.objects.filter(settings=settings, stage=Stage.HEALTH_PROJECT, grid_code="").update(
        grid_code=HEALTH_PROJECT_GRID
    )


def _people(orgs: dict[str, Organisation]) -> list[DemoLogin]:
    # One hash for the shared demo password: hashing it for each of the ~30 logins cost 20 s (PBKDF2).
    password = make_password(DEMO_PASSWORD)
    for login in LOGINS:
        user, created = User.objects.get_or_create(
            email=login.email, defaults={"first_name": login.first_name, "last_name": login.last_name}
        )
        if created:
            user.password = password
            if login.role == Role.ADMINISTRATOR:
                user.is_staff = True
                user.is_superuser = True
            user.save()
        membership_grant(user=user, organisation=orgs[login.organisation], role=login.role)
    return LOGINS


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    """Load the reference fixtures and the demo world; running it again changes nothing.

    Without communes (``load_communes`` not run) the CPTS get no territory and their letters stay drafts; a run
    after ``load_communes`` completes them.
    """
    for fixture in REFERENCE_FIXTURES:
        call_command("loaddata", fixture, verbosity=0)
    orgs = _organisations()
    _regional_settings(orgs)
    logins = _people(orgs)
    from diagnostics.demo import seed_diagnostics_demo
    from governance.demo import seed_governance_demo
    from projects.demo import seed_dossier_demo

    for index, spec in enumerate(DEMO_CPTS):
        cpts = orgs[spec.name]
        coordinator = User.objects.get(email=spec.coordinator)
        member_login = next((lg for lg in LOGINS if lg.organisation == spec.name and lg.role == Role.MEMBER), None)
        seed_governance_demo(
            cpts,
            size=spec.members,
            full=spec.stage == DemoStage.VALIDATED,
            communes=spec.communes,
            offset=index,
            member_login=User.objects.get(email=member_login.email) if member_login else None,
            coordinator=coordinator,
        )
        # A territory (and, for the Lauragais, the demo indicators), only when communes are loaded.
        has_territory = seed_diagnostics_demo(
            cpts,
            communes=spec.communes,
            with_dataset=spec.name == CPTS_NAME,
            with_narrative=spec.stage == DemoStage.VALIDATED,
            user=coordinator,
        )
        seed_dossier_demo(
            cpts, coordinator=coordinator, stage=spec.stage if has_territory else DemoStage.DRAFT, index=index
        )
    return logins
