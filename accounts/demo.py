"""The demo world loaded by ``manage.py seed_demo``: idempotent, every row found or created by its key."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.management import call_command
from django.db import transaction

from .choices import LetterCircuit, OrganisationKind, Role, UrpsProfession
from .models import Departement, Organisation, Region, RegionalSettings, User
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


OCCITANIE, REUNION, ILE_DE_FRANCE = "76", "04", "11"
CPTS_NAME = "CPTS du Lauragais (projet)"

ORGANISATIONS = [
    # (name, kind, region code, département code, profession)
    ("Opérateur du Portail CPTS", OrganisationKind.OPERATOR, ILE_DE_FRANCE, None, ""),
    ("Guichet CPTS Occitanie", OrganisationKind.GUICHET, OCCITANIE, None, ""),
    ("ARS Occitanie", OrganisationKind.ARS, OCCITANIE, None, ""),
    ("ARS Occitanie – DD Haute-Garonne", OrganisationKind.ARS_DD, OCCITANIE, "31", ""),
    ("CPAM de la Haute-Garonne", OrganisationKind.CPAM, OCCITANIE, "31", ""),
    (CPTS_NAME, OrganisationKind.CPTS, OCCITANIE, "31", ""),
    ("ARS La Réunion", OrganisationKind.ARS, REUNION, None, ""),
    ("CGSS La Réunion", OrganisationKind.CGSS, REUNION, None, ""),
    ("COPIL exercice coordonné La Réunion", OrganisationKind.COPIL, REUNION, None, ""),
] + [
    (f"URPS {label} Occitanie", OrganisationKind.URPS, OCCITANIE, None, value)
    for value, label in UrpsProfession.choices
]

LOGINS = [
    DemoLogin("admin@demo.portail-cpts.fr", "Alice", "Admin", "Opérateur du Portail CPTS", Role.ADMINISTRATOR),
    DemoLogin("coordination@demo.portail-cpts.fr", "Camille", "Coordinatrice", CPTS_NAME, Role.COORDINATOR),
    DemoLogin("membre@demo.portail-cpts.fr", "Marc", "Membre", CPTS_NAME, Role.MEMBER),
    DemoLogin("guichet@demo.portail-cpts.fr", "Gaëlle", "Guichet", "Guichet CPTS Occitanie", Role.REVIEWER),
    DemoLogin(
        "urps-medecins@demo.portail-cpts.fr", "Hugo", "Médecin", "URPS Médecins libéraux Occitanie", Role.REVIEWER
    ),
    DemoLogin("urps-infirmiers@demo.portail-cpts.fr", "Inès", "Infirmière", "URPS Infirmiers Occitanie", Role.REVIEWER),
    DemoLogin("ars-agent@demo.portail-cpts.fr", "Arthur", "Agent", "ARS Occitanie", Role.AGENT),
    DemoLogin("ars-decision@demo.portail-cpts.fr", "Diane", "Décision", "ARS Occitanie", Role.DECIDER),
    DemoLogin("ars-dd31@demo.portail-cpts.fr", "Damien", "Délégation", "ARS Occitanie – DD Haute-Garonne", Role.AGENT),
    DemoLogin("cpam@demo.portail-cpts.fr", "Claire", "Caisse", "CPAM de la Haute-Garonne", Role.AGENT),
    DemoLogin("ars-reunion@demo.portail-cpts.fr", "Rémi", "Réunion", "ARS La Réunion", Role.DECIDER),
    DemoLogin(
        "copil-reunion@demo.portail-cpts.fr", "Coralie", "Copil", "COPIL exercice coordonné La Réunion", Role.REVIEWER
    ),
    DemoLogin("cgss@demo.portail-cpts.fr", "Gilles", "CGSS", "CGSS La Réunion", Role.AGENT),
]


def _organisations() -> dict[str, Organisation]:
    regions = {r.code: r for r in Region.objects.all()}
    departements = {d.code: d for d in Departement.objects.all()}
    result = {}
    for name, kind, region_code, dep_code, profession in ORGANISATIONS:
        org, _ = Organisation.objects.get_or_create(
            region=regions[region_code],
            kind=kind,
            name=name,
            defaults={"departement": departements.get(dep_code), "profession": profession},
        )
        result[name] = org
    return result


def _regional_settings(orgs: dict[str, Organisation]) -> None:
    occitanie, _ = RegionalSettings.objects.get_or_create(
        region=Region.objects.get(code=OCCITANIE),
        valid_from=dt.date(2019, 6, 1),
        defaults={
            "letter_circuit": LetterCircuit.GUICHET_URPS,
            "letter_desk": orgs["Guichet CPTS Occitanie"],
            "opinion_delay_days": 21,
            "fir_engineering_amount": Decimal("50000"),
            "fir_instalments": 2,
            "fir_period_months": 6,
            "notes": "Guide du Guichet CPTS Occitanie : avis des 10 URPS, FIR de 50 000 € en 2 versements sur 6 mois.",
        },
    )
    occitanie.letter_reviewers.set([o for o in orgs.values() if o.kind == OrganisationKind.URPS])
    reunion, _ = RegionalSettings.objects.get_or_create(
        region=Region.objects.get(code=REUNION),
        valid_from=dt.date(2019, 6, 1),
        defaults={
            "letter_circuit": LetterCircuit.COPIL,
            "letter_desk": orgs["COPIL exercice coordonné La Réunion"],
            "opinion_delay_days": 15,
            "first_meeting_delay_days": 15,
            "support_months": 9,
            "notes": "Cahier des charges ARS La Réunion : première rencontre sous 15 jours, "
            "accompagnement par une structure d'appui jusqu'à 9 mois.",
        },
    )
    reunion.letter_reviewers.set([orgs["COPIL exercice coordonné La Réunion"]])


def _people(orgs: dict[str, Organisation]) -> list[DemoLogin]:
    for login in LOGINS:
        user, created = User.objects.get_or_create(
            email=login.email, defaults={"first_name": login.first_name, "last_name": login.last_name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if login.role == Role.ADMINISTRATOR:
                user.is_staff = True
                user.is_superuser = True
            user.save()
        membership_grant(user=user, organisation=orgs[login.organisation], role=login.role)
    return LOGINS


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    """Load the reference fixtures and the demo world; running it again changes nothing."""
    for fixture in REFERENCE_FIXTURES:
        call_command("loaddata", fixture, verbosity=0)
    orgs = _organisations()
    _regional_settings(orgs)
    logins = _people(orgs)
    from governance.demo import seed_governance_demo

    seed_governance_demo(orgs[CPTS_NAME])
    from diagnostics.demo import seed_diagnostics_demo

    seed_diagnostics_demo(orgs[CPTS_NAME])  # a territory and demo indicators, only when communes are loaded
    from projects.demo import seed_letters_demo

    seed_letters_demo(orgs[CPTS_NAME])  # a draft intention letter
    return logins
