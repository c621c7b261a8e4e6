"""Import and export of a CPTS's members (CSV or XLSX), through the shared safe reader ``cpts_portal.tabular``.

An import is all or nothing: every line is checked first and every bad line is reported with its number and
a French reason; nothing is written unless the whole file is valid. Rows are matched to existing members of
the same CPTS by RPPS (professionals), SIRET then FINESS (structures), or, for a professional without RPPS,
by name, first name and profession; a matched member is changed only where the file says something
different, so importing the same file twice changes nothing the second time (not even the audit trail).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import Organisation, User
from cpts_portal.tabular import RowError, TableError, iter_rows, read_table
from diagnostics.models import Commune

from .choices import InvolvementLevel, JoinedVia, MemberNature, MembershipKind, PracticeMode
from .models import Member
from .selectors import profession_lookup, structure_type_lookup
from .services import normalise_label
from .validators import compact, validate_finess, validate_rpps, validate_siret


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the header written by the export and shown in the help
    aliases: tuple[str, ...] = ()


COLUMNS = [
    Column("nature", "Nature", ("type de membre", "personne")),
    Column("last_name", "Nom", ("nom raison sociale", "nom ou raison sociale", "raison sociale", "nom de famille")),
    Column("first_name", "Prénom", ("prenoms",)),
    Column("profession", "Profession", ()),
    Column("structure_type", "Type de structure", ("type structure",)),
    Column("rpps", "RPPS", ("numero rpps", "n rpps", "no rpps")),
    Column("siret", "SIRET", ("numero siret", "n siret")),
    Column("finess", "FINESS", ("numero finess", "n finess")),
    Column("practice_mode", "Mode d'exercice", ("statut", "mode exercice")),
    Column("commune", "Code INSEE commune", ("code insee", "commune code insee", "insee")),
    Column("email", "E-mail", ("email", "courriel", "adresse e mail", "mail")),
    Column("phone", "Téléphone", ("tel", "telephone portable", "portable")),
    Column(
        "postal_address",
        "Adresse professionnelle",
        ("adresse", "adresse postale", "adresse d exercice", "adresse du cabinet", "adresse pro"),
    ),
    Column(
        "contact_consent_on",
        "Consentement transmission ARS (date)",
        ("consentement", "consentement ars", "consentement transmission ars", "date du consentement"),
    ),
    Column("joined_on", "Date d'adhésion", ("adhesion le", "date adhesion", "adhere le")),
    Column("left_on", "Date de départ", ("depart le", "date depart")),
    Column("membership_kind", "Qualité de membre", ("qualite", "membre")),
    Column("joined_via", "Type d'adhésion", ("adhesion", "adhesion directe ou convention")),
    Column("involvement", "Niveau d'implication", ("implication",)),
    Column("in_governance", "Gouvernance", ("participe a la gouvernance", "membre de la gouvernance")),
    Column(
        "took_part_in_writing",
        "Rédaction du projet",
        ("a participe a l elaboration du projet de sante", "elaboration du projet", "redaction"),
    ),
]
REQUIRED = ("last_name", "joined_on")
HEADERS = {c.key: c.header for c in COLUMNS}
MEMBER_FIELDS = [c.key for c in COLUMNS]

TRUE_WORDS = {"oui", "o", "x", "1", "vrai", "true", "yes", "y"}
FALSE_WORDS = {"non", "n", "0", "faux", "false", "no", ""}
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y")


class MemberImportError(Exception):
    """The file is refused: ``errors`` lists every bad line (or the one reason the whole file is refused)."""

    def __init__(self, errors: list[RowError] | list[str]):
        super().__init__(f"{len(errors)} erreur(s)")
        self.errors = [str(e) for e in errors]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _choice_lookup(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[normalise_label(value)] = value
        lookup[normalise_label(label)] = value
    for word, value in (extra or {}).items():
        lookup[normalise_label(word)] = value
    return lookup


NATURES = _choice_lookup(
    MemberNature.choices,
    {
        "professionnel de sante": "professional",
        "ps": "professional",
        "personne physique": "professional",
        "personne morale": "structure",
    },
)
PRACTICE_MODES = _choice_lookup(
    PracticeMode.choices,
    {
        "liberale": "liberal",
        "salariee": "salaried",
        "cds": "centre_sante",
        "maison de sante": "msp",
        "etablissement de sante": "etablissement",
    },
)
MEMBERSHIP_KINDS = _choice_lookup(MembershipKind.choices, {"actif": "active", "partenaire": "partner"})
JOINED_VIA = _choice_lookup(
    JoinedVia.choices, {"directe": "direct", "direct": "direct", "convention": "agreement", "partenariat": "agreement"}
)
INVOLVEMENT = _choice_lookup(
    InvolvementLevel.choices,
    {
        "informe": "informed",
        "adherent": "adherent",
        "contributeur": "contributor",
        "groupe de travail": "contributor",
        "referent": "referent",
        "pilote": "referent",
        "gouvernance": "governance",
    },
)


def parse_date(value: str) -> dt.date:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def _header_map(columns) -> dict[str, str]:
    """Map each known column key to the file's header (headers compared without case, accents, punctuation)."""
    wanted: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.key, column.header, *column.aliases):
            wanted.setdefault(normalise_label(name), column.key)
    found = {}
    for header in columns:
        key = wanted.get(normalise_label(header))
        if key and key not in found:
            found[key] = header
    return found


@dataclass
class _Plan:
    creates: list[Member] = field(default_factory=list)
    updates: list[Member] = field(default_factory=list)
    changed_fields: set[str] = field(default_factory=set)
    unchanged: int = 0


class _Line:
    """One line being checked: collects its errors, converts its cells."""

    def __init__(self, number: int, row: dict, headers: dict[str, str]):
        self.number = number
        self.row = row
        self.headers = headers
        self.errors: list[RowError] = []

    def has(self, key: str) -> bool:
        return key in self.headers

    def cell(self, key: str) -> str:
        return self.row.get(self.headers[key], "") if key in self.headers else ""

    def error(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.number, message, self.headers.get(key, HEADERS[key])))

    def choice(self, key: str, lookup: dict[str, str], what: str) -> str | None:
        raw = self.cell(key)
        if not raw:
            return None
        value = lookup.get(normalise_label(raw))
        if value is None:
            self.error(key, _("%(what)s inconnu(e) : « %(value)s »") % {"what": what, "value": raw})
        return value

    def boolean(self, key: str) -> bool | None:
        if not self.has(key):
            return None
        raw = normalise_label(self.cell(key))
        if raw in TRUE_WORDS:
            return True
        if raw in FALSE_WORDS:
            return False
        self.error(key, _("réponse non reconnue : « %(value)s » (attendu : oui ou non)") % {"value": self.cell(key)})
        return None

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        raw = self.cell(key)
        if not raw:
            if required:
                self.error(key, _("date manquante"))
            return None
        try:
            return parse_date(raw)
        except ValueError:
            self.error(key, _("date illisible : « %(value)s » (attendu : jj/mm/aaaa ou aaaa-mm-jj)") % {"value": raw})
            return None

    def identifier(self, key: str, validator: Callable[[str], str]) -> str:
        raw = self.cell(key)
        if not raw:
            return ""
        try:
            return validator(raw)
        except ValidationError as exc:
            self.error(key, f"{exc.messages[0]} (« {raw} »)")
            return ""


def _parse(frame, headers: dict[str, str], cpts: Organisation) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """Check every line; return the converted lines (line number, values) and every error found."""
    professions = profession_lookup()
    structure_types = structure_type_lookup()
    codes = {str(v).strip() for v in frame[headers["commune"]]} if "commune" in headers else set()
    communes = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=codes - {""})}
    errors: list[RowError] = []
    lines: list[tuple[int, dict]] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in iter_rows(frame):
        if not any(str(v).strip() for v in row.values()):
            continue  # a blank line in a spreadsheet is not an error
        line = _Line(number, row, headers)
        values: dict = {}
        nature = line.choice("nature", NATURES, _("nature"))
        if nature is None and not line.cell("nature"):
            has_structure = line.cell("structure_type") or line.cell("siret") or line.cell("finess")
            nature = (
                MemberNature.STRUCTURE if has_structure and not line.cell("profession") else MemberNature.PROFESSIONAL
            )
        values["nature"] = nature
        values["last_name"] = line.cell("last_name")
        if not values["last_name"]:
            line.error("last_name", _("nom manquant"))
        values["first_name"] = line.cell("first_name")
        if nature == MemberNature.PROFESSIONAL:
            raw = line.cell("profession")
            profession = professions.get(normalise_label(raw)) if raw else None
            if not raw:
                line.error("profession", _("profession manquante"))
            elif profession is None:
                line.error("profession", _("profession inconnue : « %(value)s »") % {"value": raw})
            values["profession"] = profession
            values["structure_type"] = None
            values["rpps"] = line.identifier("rpps", validate_rpps)
            if line.cell("siret") or line.cell("finess"):
                line.error("siret", _("le SIRET et le FINESS concernent les structures, pas les professionnels"))
            values["siret"] = values["finess"] = ""
        elif nature == MemberNature.STRUCTURE:
            raw = line.cell("structure_type")
            kind = structure_types.get(normalise_label(raw)) if raw else None
            if not raw:
                line.error("structure_type", _("type de structure manquant"))
            elif kind is None:
                line.error("structure_type", _("type de structure inconnu : « %(value)s »") % {"value": raw})
            values["structure_type"] = kind
            values["profession"] = None
            values["siret"] = line.identifier("siret", validate_siret)
            values["finess"] = line.identifier("finess", validate_finess)
            if not line.cell("siret") and not line.cell("finess"):
                line.error("siret", _("une structure doit avoir un SIRET ou un numéro FINESS"))
            if line.cell("rpps"):
                line.error("rpps", _("le numéro RPPS concerne les professionnels, pas les structures"))
            values["rpps"] = ""
        if line.has("practice_mode"):
            values["practice_mode"] = line.choice("practice_mode", PRACTICE_MODES, _("mode d'exercice")) or ""
        if line.has("commune"):
            code = compact(line.cell("commune"))
            if code and code not in communes:
                line.error(
                    "commune", _("commune inconnue : code INSEE « %(value)s »") % {"value": line.cell("commune")}
                )
            values["commune"] = communes.get(code)
        if line.has("email"):
            values["email"] = line.cell("email").lower()
            if values["email"]:
                try:
                    validate_email(values["email"])
                except ValidationError:
                    line.error("email", _("adresse e-mail invalide : « %(value)s »") % {"value": line.cell("email")})
        if line.has("phone"):
            values["phone"] = line.cell("phone")
        if line.has("postal_address"):
            values["postal_address"] = " ".join(line.cell("postal_address").split())
            if len(values["postal_address"]) > 300:
                line.error("postal_address", _("adresse trop longue (300 caractères au plus)"))
        if line.has("contact_consent_on"):
            values["contact_consent_on"] = line.date("contact_consent_on")
        values["joined_on"] = line.date("joined_on", required=True)
        if line.has("left_on"):
            values["left_on"] = line.date("left_on")
            if values["left_on"] and values["joined_on"] and values["left_on"] < values["joined_on"]:
                line.error("left_on", _("la date de départ précède la date d'adhésion"))
        for key, lookup, what in (
            ("membership_kind", MEMBERSHIP_KINDS, _("qualité de membre")),
            ("joined_via", JOINED_VIA, _("type d'adhésion")),
            ("involvement", INVOLVEMENT, _("niveau d'implication")),
        ):
            if line.has(key):
                value = line.choice(key, lookup, what)
                if value:
                    values[key] = value
        for key in ("in_governance", "took_part_in_writing"):
            flag = line.boolean(key)
            if flag is not None:
                values[key] = flag
        for identity in _identity_keys(values):
            if identity in seen:
                label = {"rpps": "RPPS", "siret": "SIRET", "finess": "FINESS"}.get(identity[0], "")
                message = (
                    _("%(label)s en double (déjà à la ligne %(line)d)") % {"label": label, "line": seen[identity]}
                    if label
                    else _("membre en double (même nom, prénom et profession qu'à la ligne %(line)d)")
                    % {"line": seen[identity]}
                )
                line.error(identity[0] if identity[0] in HEADERS else "last_name", message)
            else:
                seen[identity] = number
        errors.extend(line.errors)
        if not line.errors:
            lines.append((number, values))
    return lines, errors


def _identity_keys(values: dict) -> list[tuple[str, str]]:
    """The keys that identify a member within a CPTS (two lines sharing one are duplicates)."""
    keys = []
    for name in ("rpps", "siret", "finess"):
        if values.get(name):
            keys.append((name, values[name]))
    if values.get("nature") == MemberNature.PROFESSIONAL and not values.get("rpps") and values.get("profession"):
        keys.append(
            (
                "person",
                "|".join(
                    [
                        normalise_label(values["last_name"]),
                        normalise_label(values["first_name"]),
                        values["profession"].code,
                    ]
                ),
            )
        )
    return keys


def _existing_index(cpts: Organisation) -> dict[tuple[str, str], Member]:
    index: dict[tuple[str, str], Member] = {}
    for member in Member.objects.filter(cpts=cpts).select_related("profession"):
        values = {
            "nature": member.nature,
            "rpps": member.rpps,
            "siret": member.siret,
            "finess": member.finess,
            "last_name": member.last_name,
            "first_name": member.first_name,
            "profession": member.profession,
        }
        for key in _identity_keys(values):
            index.setdefault(key, member)
    return index


def _plan(cpts: Organisation, lines: list[tuple[int, dict]]) -> _Plan:
    index = _existing_index(cpts)
    plan = _Plan()
    now = timezone.now()
    for _number, values in lines:
        existing = next((index[k] for k in _identity_keys(values) if k in index), None)
        if existing is None:
            plan.creates.append(Member(cpts=cpts, **values))
            continue
        changed = [
            name
            for name, value in values.items()
            if getattr(existing, name + "_id" if name in ("profession", "structure_type", "commune") else name)
            != (value.pk if hasattr(value, "pk") else value)
        ]
        if not changed:
            plan.unchanged += 1
            continue
        for name in changed:
            setattr(existing, name, values[name])
        existing.updated_at = now
        plan.changed_fields.update(changed)
        plan.updates.append(existing)
    return plan


def members_import(*, cpts: Organisation, uploaded, imported_by: User | None = None) -> ImportResult:
    """Import a members file into a CPTS, all or nothing; raise ``MemberImportError`` listing every bad line."""
    try:
        frame = read_table(uploaded)
    except TableError as exc:
        raise MemberImportError([str(exc)]) from exc
    headers = _header_map(frame.columns)
    missing = [RowError(1, _("colonne obligatoire absente"), HEADERS[k]) for k in REQUIRED if k not in headers]
    if "profession" not in headers and "structure_type" not in headers:
        missing.append(RowError(1, _("colonne obligatoire absente"), _("Profession ou Type de structure")))
    if missing:
        raise MemberImportError(missing)
    lines, errors = _parse(frame, headers, cpts)
    if errors:
        raise MemberImportError(errors)
    if not lines:
        raise MemberImportError([_("Le fichier ne contient aucun membre.")])
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=cpts.pk)  # one import at a time per CPTS
        plan = _plan(cpts, lines)
        for member in plan.creates + plan.updates:
            try:
                member.full_clean(
                    exclude=["cpts", "profession", "structure_type", "commune", "user"],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as exc:
                raise MemberImportError([f"{member} : {'; '.join(exc.messages)}"]) from exc
        try:
            if plan.creates:
                bulk_create_with_history(
                    plan.creates, Member, batch_size=500, default_user=imported_by, default_change_reason="import"
                )
            if plan.updates:
                bulk_update_with_history(
                    plan.updates,
                    Member,
                    [*sorted(plan.changed_fields), "updated_at"],
                    batch_size=500,
                    default_user=imported_by,
                    default_change_reason="import",
                )
        except IntegrityError as exc:
            raise MemberImportError(
                [_("Le fichier contredit des membres déjà enregistrés (identifiant déjà attribué à un autre membre).")]
            ) from exc
    return ImportResult(created=len(plan.creates), updated=len(plan.updates), unchanged=plan.unchanged)


# Export


def _yes_no(value: bool) -> str:
    return _("oui") if value else _("non")


def _date(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


CONTACT_KEYS = ("email", "phone", "postal_address")


def export_columns(*, with_contacts: bool) -> list[str]:
    return [c.header for c in COLUMNS if with_contacts or c.key not in CONTACT_KEYS]


def export_rows(members, *, with_contacts: bool):
    """Rows in the import's own format, so that an exported file imports back unchanged."""
    for m in members:
        row = {
            "nature": m.get_nature_display(),
            "last_name": m.last_name,
            "first_name": m.first_name,
            "profession": m.profession.label if m.profession_id else "",
            "structure_type": m.structure_type.label if m.structure_type_id else "",
            "rpps": m.rpps,
            "siret": m.siret,
            "finess": m.finess,
            "practice_mode": m.get_practice_mode_display() if m.practice_mode else "",
            "commune": m.commune.insee_code if m.commune_id else "",
            "email": m.email,
            "phone": m.phone,
            "postal_address": m.postal_address,
            "contact_consent_on": _date(m.contact_consent_on),
            "joined_on": _date(m.joined_on),
            "left_on": _date(m.left_on),
            "membership_kind": m.get_membership_kind_display(),
            "joined_via": m.get_joined_via_display(),
            "involvement": m.get_involvement_display(),
            "in_governance": _yes_no(m.in_governance),
            "took_part_in_writing": _yes_no(m.took_part_in_writing),
        }
        yield [row[c.key] for c in COLUMNS if with_contacts or c.key not in CONTACT_KEYS]
