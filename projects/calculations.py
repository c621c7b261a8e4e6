"""Pure functions of the dossiers: no ORM, no clock. Dates and data are passed in.

- ``letter_missing_items``: what an intention letter still lacks before it may be submitted;
- ``diff_data``: what changed between two frozen versions, field by field (never over HTML);
- ``add_months`` / ``split_instalments``: the FIR grant schedule and the 9-month deadline;
- ``grid_facts``: the counts the ARS's grid (seed 000 Annexe 9) reads from a deposited health project, never retyped;
- ``order_by_template``: the health project's sections in the order of the region's ARS template (seed 003);
- ``health_project_diff``: what changed between two deposited versions of a health project, by section.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from cpts_portal.dates import add_months

LETTER_SCHEMA_VERSION = 1

# Every field path of a letter's frozen data: its French label and the anchor of its field on the edit page.
LETTER_FIELDS: dict[str, tuple[str, str]] = {
    "cpts.name": ("Nom de la CPTS", "cpts"),
    "pilot.name": ("Pilote du projet", "id_pilot_name"),
    "pilot.profession": ("Profession du pilote", "id_pilot_profession"),
    "pilot.email": ("E-mail de contact", "id_contact_email"),
    "pilot.phone": ("Téléphone de contact", "id_contact_phone"),
    "territory.instructing_region": ("Région qui instruit le dossier", "territoire"),
    "territory.communes": ("Communes du territoire", "territoire"),
    "territory.population": ("Population du territoire", "territoire"),
    "territory.size": ("Taille de la CPTS (barème en vigueur)", "territoire"),
    "needs": ("Besoins identifiés sur le territoire", "id_needs"),
    "professionals.professions": ("Professionnels mobilisés par profession", "professions"),
    "professionals.information_actions": ("Information des professionnels du territoire", "id_information_actions"),
    "team": ("Équipe projet et sa composition", "equipe"),
    "project.description": ("Description succincte du projet", "id_project_description"),
    "project.missions.access": ("Engagement : accès aux soins", "id_commits_access"),
    "project.missions.pathways": ("Engagement : parcours pluriprofessionnels", "id_commits_pathways"),
    "project.missions.prevention": ("Engagement : prévention", "id_commits_prevention"),
    "project.missions.crisis": ("Engagement : crises sanitaires graves", "id_commits_crisis"),
    "project.missions_comment": ("Précisions sur les missions", "id_missions_comment"),
    "project.themes": ("Thématiques prioritaires retenues", "id_themes"),
    "objectives.objectives": ("Objectifs et actions envisagées", "id_objectives"),
    "objectives.means": ("Moyens proposés", "id_means"),
    "partners.associated": ("Partenaires déjà associés", "id_partners_associated"),
    "partners.planned": ("Partenaires envisagés", "id_partners_planned"),
    "carrying_structure.legal_form": ("Forme juridique de la structure porteuse", "id_structure-legal_form"),
    "carrying_structure.name": ("Nom de la structure porteuse", "id_structure-name"),
    "carrying_structure.siret": ("SIRET de la structure porteuse", "id_structure-siret"),
    "carrying_structure.address": ("Adresse de la structure porteuse", "id_structure-address"),
    "subsidy.amount": ("Montant de subvention demandé", "id_subsidy_amount"),
    "subsidy.engineering_budget": ("Budget de la phase d'ingénierie", "id_engineering_budget"),
    "subsidy.comment": ("Précisions sur la demande de subvention", "id_subsidy_comment"),
}


# Fields the portal computes (never typed by the CPTS): shown and compared between versions, but a complement
# request names what the CPTS fills (the taille follows from the territory's communes).
COMPUTED_LETTER_FIELDS = frozenset({"territory.size"})
REQUESTABLE_LETTER_FIELDS = {p: v for p, v in LETTER_FIELDS.items() if p not in COMPUTED_LETTER_FIELDS}


def letter_field_label(path: str) -> str:
    """The French label of a letter's field path ("subsidy.amount" → "Montant de subvention demandé"): the one
    mapping the diff, the complement requests and the completeness panel read. An unknown path stays as it is."""
    entry = LETTER_FIELDS.get(path)
    return entry[0] if entry else path


@dataclass(frozen=True)
class MissingItem:
    path: str
    message: str

    @property
    def label(self) -> str:
        return letter_field_label(self.path)

    @property
    def anchor(self) -> str:
        return LETTER_FIELDS[self.path][1]


def _get(data: dict, path: str):
    value: object = data
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _blank(value) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


# The content seed 002 makes mandatory, plus what seed 004 and the funding need (team, carrying structure).
_REQUIRED_TEXT = [
    ("pilot.name", "Indiquez le pilote du projet."),
    ("pilot.email", "Indiquez un e-mail de contact."),
    ("needs", "Décrivez les besoins identifiés sur le territoire."),
    ("professionals.information_actions", "Décrivez comment les professionnels du territoire ont été informés."),
    ("project.description", "Décrivez succinctement le projet."),
    ("objectives.objectives", "Indiquez les objectifs et les actions envisagées."),
    ("objectives.means", "Indiquez les moyens proposés."),
    ("carrying_structure.name", "Indiquez la structure porteuse (association)."),
    ("carrying_structure.siret", "Indiquez le SIRET de la structure porteuse."),
]
_CORE_MISSIONS = [
    ("project.missions.access", "accès aux soins"),
    ("project.missions.pathways", "parcours pluriprofessionnels"),
    ("project.missions.prevention", "prévention"),
    ("project.missions.crisis", "crises sanitaires graves"),
]


def letter_missing_items(data: dict) -> list[MissingItem]:
    """What a letter still lacks before submission, in the order of the form, each with a French message."""
    missing: list[MissingItem] = []
    if not _get(data, "territory.communes"):
        missing.append(MissingItem("territory.communes", "Le territoire d'action doit compter au moins une commune."))
    for path, message in _REQUIRED_TEXT[:2]:
        if _blank(_get(data, path)):
            missing.append(MissingItem(path, message))
    if _blank(_get(data, "needs")):
        missing.append(MissingItem("needs", dict(_REQUIRED_TEXT)["needs"]))
    professions = _get(data, "professionals.professions") or []
    if not any((row.get("count") or 0) > 0 for row in professions):
        missing.append(
            MissingItem("professionals.professions", "Indiquez les professionnels mobilisés, par profession.")
        )
    path = "professionals.information_actions"
    if _blank(_get(data, path)):
        missing.append(MissingItem(path, dict(_REQUIRED_TEXT)[path]))
    if not _get(data, "team"):
        missing.append(MissingItem("team", "Présentez l'équipe projet et sa composition."))
    if _blank(_get(data, "project.description")):
        missing.append(MissingItem("project.description", dict(_REQUIRED_TEXT)["project.description"]))
    for path, mission in _CORE_MISSIONS:
        if not _get(data, path):
            missing.append(
                MissingItem(path, f"Engagez-vous explicitement à initier un travail sur la mission « {mission} ».")
            )
    for path in ("objectives.objectives", "objectives.means", "carrying_structure.name", "carrying_structure.siret"):
        if _blank(_get(data, path)):
            missing.append(MissingItem(path, dict(_REQUIRED_TEXT)[path]))
    return missing


@dataclass(frozen=True)
class FieldChange:
    path: str
    label: str
    before: str
    after: str


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return "\n".join(_display_item(item) for item in value) or "—"
    return str(value)


def letter_field_display(data: dict, path: str) -> str:
    """A field of a version's data as a person reads it ("oui", one line per commune, "—" when empty)."""
    return _display(_get(data or {}, path))


def _display_item(item) -> str:
    if not isinstance(item, dict):
        return str(item)
    if "insee" in item:
        text = f"{item.get('name')} ({item.get('insee')})"
        if item.get("is_partial"):
            text += f" – en partie : {item.get('perimeter')}"
        return text
    if "count" in item:
        return f"{item.get('profession')} : {item.get('count')}"
    return " – ".join(str(v) for v in item.values() if v not in (None, ""))


def _leaves(data: dict, prefix: str = "") -> dict[str, object]:
    result = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            result.update(_leaves(value, f"{path}."))
        else:
            result[path] = value
    return result


def diff_data(before: dict, after: dict, labels: dict[str, tuple[str, str]] | None = None) -> list[FieldChange]:
    """Field-by-field changes between two versions' data; lists compare as a whole, shown item by item."""
    labels = labels if labels is not None else LETTER_FIELDS
    old, new = _leaves(before), _leaves(after)
    changes = []
    order = list(labels) + sorted((set(old) | set(new)) - set(labels))
    for path in order:
        if path == "schema_version" or (path not in old and path not in new):
            continue
        if old.get(path) != new.get(path):
            label = labels[path][0] if path in labels else path
            changes.append(FieldChange(path, label, _display(old.get(path)), _display(new.get(path))))
    return changes


# The opinion scale in its order, with the singular and plural a summary uses ("8 favorables, 2 réservés").
ASSESSMENT_WORDS: dict[str, tuple[str, str]] = {
    "favorable": ("favorable", "favorables"),
    "reserved": ("réservé", "réservés"),
    "unfavorable": ("défavorable", "défavorables"),
}


def assessment_counts_text(counts: dict[str, int]) -> str:
    """ "8 favorables, 2 réservés": the counts in the scale's order, zeros left out; "aucun avis" when empty."""
    parts = [
        f"{counts[key]} {words[0] if counts[key] == 1 else words[1]}"
        for key, words in ASSESSMENT_WORDS.items()
        if counts.get(key)
    ]
    return ", ".join(parts) or "aucun avis"


@dataclass(frozen=True)
class Instalment:
    number: int
    amount: Decimal
    due_on: dt.date


def split_instalments(*, amount: Decimal, count: int, start: dt.date, period_months: int) -> list[Instalment]:
    """Equal instalments (cents rounded down, the rest on the last), the first on ``start`` and the last
    ``period_months`` later (Occitanie: 50 000 € in 2 instalments over 6 months = 25 000 € now, 25 000 € at M+6)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    share = (amount / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    result = []
    for index in range(count):
        months = 0 if count == 1 else round(index * period_months / (count - 1))
        value = share if index < count - 1 else amount - share * (count - 1)
        result.append(Instalment(index + 1, value, add_months(start, months)))
    return result


# --- The health project's review (issue 16) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """A count the grid shows prefilled from the deposited version (seed 000 Annexe 9: "le territoire")."""

    code: str
    label: str
    value: int | None  # None: the version does not hold it (shown "non renseigné", never guessed)
    source: str  # where the version holds it, for the reviewer who checks it


def _count(value) -> int | None:
    return len(value) if isinstance(value, list) else None


def grid_facts(data: dict) -> list[Fact]:
    """The four counts of Annexe 9's "le territoire" from a health project version's frozen data: communes,
    inhabitants, professionals engaged (the members as the funding scale counts them, the count the budget uses)
    and engagements to come (partners whose partnership is not formalised yet: an agreement still to sign)."""
    diagnostic = data.get("diagnostic") or {}
    organisation = data.get("organisation") or {}
    partners = organisation.get("partners")
    engagements = (
        sum(1 for p in partners if isinstance(p, dict) and not p.get("is_formalised"))
        if isinstance(partners, list)
        else None
    )
    population = diagnostic.get("population")
    members = organisation.get("member_count")
    return [
        Fact("communes", "Nombre de communes", _count(diagnostic.get("communes")), "Diagnostic territorial"),
        Fact(
            "inhabitants",
            "Nombre d'habitants",
            population if isinstance(population, int) else None,
            "Diagnostic territorial (population des communes)",
        ),
        Fact(
            "professionals",
            "Nombre de professionnels engagés dans la CPTS",
            members if isinstance(members, int) else None,
            "Organisation : membres de la CPTS à la date du projet",
        ),
        Fact(
            "engagements",
            "Nombre d'engagements à venir",
            engagements,
            "Organisation : partenariats pas encore formalisés par une convention",
        ),
    ]


def order_by_template(items: list, code_of, template: list[str], national: list[str]) -> list:
    """``items`` in the order of the region's template (the codes in ``template``), then those the template leaves
    out in the national order (``national``), then the unknown ones as they came. Stable."""
    rank = {code: index for index, code in enumerate(template)}
    fallback = {code: len(template) + index for index, code in enumerate(national)}
    last = len(template) + len(national)
    return sorted(items, key=lambda item: rank.get(code_of(item), fallback.get(code_of(item), last)))


# The top-level keys of a health project version and how the diff names them.
HEALTH_PROJECT_PARTS = {
    "cpts": "CPTS",
    "identity": "Identité",
    "diagnostic": "Diagnostic territorial",
    "actions": "Actions par mission et macro-planning",
    "organisation": "Organisation et gouvernance",
    "budget": "Budget",
    "quality_evaluation": "Qualité et évaluation",
    "signatories": "Signataires",
}


def health_project_diff(before: dict, after: dict) -> list[FieldChange]:
    """Field-by-field changes between two health project versions (never over HTML), each labelled by its section
    ("Diagnostic territorial – population")."""
    changes = []
    for change in diff_data(before, after, {}):
        head, _sep, rest = change.path.partition(".")
        part = HEALTH_PROJECT_PARTS.get(head, head)
        label = f"{part} – {rest.replace('.', ' › ').replace('_', ' ')}" if rest else part
        changes.append(FieldChange(change.path, label, change.before, change.after))
    return changes


def data_sha256(data: dict) -> str:
    """A stable fingerprint of a version's content (sorted keys, no whitespace, UTF-8)."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
