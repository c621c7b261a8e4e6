"""Reads on dossiers that carry rules: what a person may see, the dossier page, what awaits a person."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Stage
from accounts.models import circuits_prefetch
from accounts.selectors import is_administrator, membership_list_for_user
from cpts_portal.related import prefetched, related_or_none
from diagnostics import selectors as diagnostics_selectors
from diagnostics.parts import CPTS_ACTORS, REVIEWING_ACTORS, departement_ids_prime, dossier_parts_q
from funding.selectors import size_band_for_population

from ..calculations import LETTER_FIELDS, assessment_counts_text, diff_data, letter_missing_items
from ..choices import DeadlineKind, HealthProjectStatus, LetterStatus, RenderStatus
from ..models import (
    ComplementRequest,
    Deadline,
    DossierMessage,
    DossierVersion,
    ExpectedOpinion,
    GridCriterion,
    IntentionLetter,
    Notification,
    Opinion,
    OpinionAnswer,
    OpinionGrid,
    PrivateNote,
    RenderedDocument,
    StatusTransition,
)
from ..workflows.engine import Actor, AwaitingItem, rows_of

__all__ = [
    "AccompanimentTerms",
    "AwaitingItem",
    "DossierPage",
    "OpinionCounter",
    "OpinionTable",
    "accompaniment_terms",
    "letter_awaiting_dossiers",
    "letter_more_awaiting",
    "document_ready",
    "letter_diff",
    "letter_get_for_page",
    "letter_grid",
    "letter_is_validated",
    "letter_list_for_user",
    "letter_missing",
    "letter_page",
    "letter_snapshot",
    "letter_visibility_q",
    "notification_list_for_user",
    "open_complement_request",
    "opinion_counter",
    "opinion_table",
    "territory_rows",
    "territory_unexplained_conflicts",
]

# --- Facts of the lower apps ----------------------------------------------------------------------------------


def territory_unexplained_conflicts(cpts) -> list[str]:
    """French reasons why the territory may not be submitted: whole communes claimed by another CPTS and not
    explained (diagnostics owns overlap detection)."""
    territory = related_or_none(cpts, "territory")
    if territory is None:
        return []
    return list(diagnostics_selectors.territory_unexplained_conflicts(territory))


@dataclass(frozen=True)
class AccompanimentTerms:
    size: int
    amount: Decimal | None
    months: int | None


def accompaniment_terms(*, population: int | None, on: dt.date) -> AccompanimentTerms | None:
    """The accompaniment contract of the funding scale in force on ``on`` for a territory's population:
    its taille, amount (15 000 to 30 000 € in the 2019 scale) and commitment delay (9 months). None when the
    funding app holds no scale yet or the population is unknown."""
    if population is None:
        return None
    size = size_band_for_population(population, on)
    if size is None:
        return None
    return AccompanimentTerms(size=size.taille, amount=size.accompaniment, months=size.scale.accompaniment_months)


# --- The letter's frozen content ------------------------------------------------------------------------------


def territory_rows(cpts) -> tuple[list[dict], int, str]:
    """(communes, population, instructing region) of a CPTS's territory as frozen in a version."""
    if related_or_none(cpts, "territory") is None:
        return [], 0, ""
    territory = cpts.territory
    rows, population = [], 0
    entries = territory.entries.select_related("commune").order_by("commune__name")
    for entry in entries:
        commune = entry.commune
        counted = entry.declared_population if entry.is_partial else commune.population
        population += counted or 0
        rows.append(
            {
                "insee": commune.insee_code,
                "name": commune.name,
                "postal_codes": list(commune.postal_codes or []),
                "population": counted,
                "is_partial": entry.is_partial,
                "perimeter": entry.perimeter,
            }
        )
    return rows, population, territory.instructing_region.name


def letter_snapshot(letter: IntentionLetter) -> dict:
    """The letter as it would be frozen now: every field, the team, and the territory table."""
    communes, population, region = territory_rows(letter.cpts)
    band = size_band_for_population(population, timezone.localdate()) if population else None
    structure = letter.carrying_structure

    def money(value):
        return str(value) if value is not None else None

    return {
        "cpts": {"name": letter.cpts.name, "region": letter.cpts.region.name},
        "pilot": {
            "name": letter.pilot_name,
            "profession": letter.pilot_profession,
            "email": letter.contact_email,
            "phone": letter.contact_phone,
        },
        "territory": {
            "instructing_region": region,
            "communes": communes,
            "population": population,
            # The taille as the funding scale in force counts this population (None while no scale is in force).
            "size": band.taille if band is not None else None,
        },
        "needs": letter.needs,
        "professionals": {
            "professions": [{"profession": p.profession, "count": p.count} for p in letter.professions.all()],
            "information_actions": letter.information_actions,
        },
        "team": [
            {"name": t.name, "profession": t.profession, "place": t.place, "role": t.team_role}
            for t in letter.team.all()
        ],
        "project": {
            "description": letter.project_description,
            "missions": {
                "access": letter.commits_access,
                "pathways": letter.commits_pathways,
                "prevention": letter.commits_prevention,
                "crisis": letter.commits_crisis,
            },
            "missions_comment": letter.missions_comment,
            "themes": list(letter.themes or []),
        },
        "objectives": {"objectives": letter.objectives, "means": letter.means},
        "partners": {"associated": letter.partners_associated, "planned": letter.partners_planned},
        "carrying_structure": {
            "legal_form": structure.get_legal_form_display() if structure else "",
            "name": structure.name if structure else "",
            "siret": structure.siret if structure else "",
            "address": structure.address if structure else "",
        },
        "subsidy": {
            "amount": money(letter.subsidy_amount),
            "engineering_budget": money(letter.engineering_budget),
            "comment": letter.subsidy_comment,
        },
    }


def letter_missing(letter: IntentionLetter):
    return letter_missing_items(letter_snapshot(letter))


def letter_grid(letter: IntentionLetter) -> OpinionGrid | None:
    """The grid the letter's opinions answer: the one its region's letter circuit names (regional data, frozen
    with the settings at submission), else the grid of its kind of circuit (Guichet/URPS, COPIL)."""
    settings = letter.regional_settings
    circuit = settings.circuit(Stage.LETTER) if settings is not None else None
    grids = OpinionGrid.objects.prefetch_related("criteria")
    if circuit is not None and circuit.grid_code:
        return grids.filter(code=circuit.grid_code).first()
    return grids.filter(letter_circuit=letter.circuit).first()


def letter_diff(before: DossierVersion, after: DossierVersion):
    return diff_data(before.data, after.data, LETTER_FIELDS)


# --- Lists ------------------------------------------------------------------------------------------------------


def _letter_content_type():
    return ContentType.objects.get_for_model(IntentionLetter)


def letter_visibility_q(user) -> Q | None:
    """The letters a person may see (None: all of them). Mirrors ``permissions.can_view_letter`` with the parts of
    ``diagnostics.parts`` as a filter: the CPTS's people always; the reviewing parts (desk, reviewers, ARS, the
    delegation of the CPTS's département) once the letter was deposited; the Assurance Maladie of the area once it
    is validated."""
    if is_administrator(user):
        return None
    deposited = Q(current_version_number__gt=0)
    validated = Q(status=LetterStatus.VALIDATED)
    return (
        dossier_parts_q(user, CPTS_ACTORS, stage=Stage.LETTER)
        | deposited & dossier_parts_q(user, REVIEWING_ACTORS, stage=Stage.LETTER)
        | validated & dossier_parts_q(user, frozenset({Actor.HEALTH_INSURANCE}), stage=Stage.LETTER)
    )


def letter_list_for_user(user) -> QuerySet[IntentionLetter]:
    qs = IntentionLetter.objects.select_related("cpts__region", "regional_settings", "instructing_region")
    q = letter_visibility_q(user)
    if q is not None:
        qs = qs.filter(pk__in=IntentionLetter.objects.filter(q).values("pk"))
    return qs.prefetch_related(
        circuits_prefetch("regional_settings__"),
        Prefetch("expected_opinions", queryset=ExpectedOpinion.objects.select_related("organisation")),
    ).order_by("-updated_at")


@dataclass(frozen=True)
class OpinionCounter:
    received: int
    total: int
    awaited: list  # organisation names still awaited
    late: list  # of which past their delay

    def __str__(self):
        return f"avis reçus {self.received}/{self.total}"


def opinion_counter(letter: IntentionLetter, now: dt.datetime | None = None) -> OpinionCounter:
    """From the prefetched expected opinions: "avis reçus 3/10", who is still awaited and who is late."""
    now = now or timezone.now()
    rows = list(letter.expected_opinions.all())
    pending = [r for r in rows if r.is_pending]
    return OpinionCounter(
        received=len(rows) - len(pending),
        total=len(rows),
        awaited=[r.organisation.name for r in pending],
        late=[r.organisation.name for r in pending if r.due_at <= now],
    )


@dataclass
class DossierPage:
    letter: IntentionLetter
    versions: list
    current: DossierVersion | None
    opinions: list  # of the current version, consolidated first
    earlier_opinions: list  # given on an earlier version
    transitions: list
    messages: list
    notes: list
    deadlines: list
    complement_requests: list
    documents: list
    counter: OpinionCounter


def letter_get_for_page(*, pk: int, user) -> IntentionLetter:
    """The letter with everything its page shows, in a fixed number of queries whatever its history.

    The rows that name a version (transitions, expected opinions, complement requests) get it from the versions
    prefetched here (``letter_page``), not by a join that would read each version's frozen content again. The team
    and professions only matter to a draft: the page loads them when it shows one."""
    own_orgs = [m.organisation_id for m in membership_list_for_user(user)]
    return (
        IntentionLetter.objects.select_related(
            "cpts__region",
            "carrying_structure",
            "regional_settings",
            "instructing_region",
            "decision__decided_by",
            "decision__organisation",
            "decision__prepared_by",
            "identity_sheet",
            "prepared_decision__prepared_by",
        )
        .prefetch_related(
            circuits_prefetch("regional_settings__"),
            "decision__instalments",
            Prefetch(
                "versions",
                queryset=DossierVersion.objects.select_related("submitted_by")
                .prefetch_related(
                    Prefetch(
                        "opinions",
                        queryset=Opinion.objects.select_related("organisation", "author").prefetch_related(
                            Prefetch("answers", queryset=OpinionAnswer.objects.select_related("criterion"))
                        ),
                    ),
                    Prefetch("documents", queryset=RenderedDocument.objects.order_by("kind")),
                )
                .order_by("number"),
            ),
            Prefetch("transitions", queryset=StatusTransition.objects.select_related("by").order_by("at", "pk")),
            Prefetch("expected_opinions", queryset=ExpectedOpinion.objects.select_related("organisation")),
            Prefetch("messages", queryset=DossierMessage.objects.select_related("author", "organisation")),
            Prefetch(
                "notes",
                queryset=PrivateNote.objects.filter(organisation_id__in=own_orgs).select_related(
                    "author", "organisation"
                ),
            ),
            Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at")),
            Prefetch(
                "complement_requests",
                queryset=ComplementRequest.objects.select_related("organisation", "requested_by")
                .prefetch_related("field_comments")
                .order_by("created_at"),
            ),
        )
        .get(pk=pk)
    )


def has_opinion_on_current_version(letter: IntentionLetter, organisation_id: int) -> bool:
    """Has this organisation given its opinion on the letter's current version? Read from the versions and opinions
    ``letter_get_for_page`` prefetched when they are there (the dossier page asks it twice: may this person give an
    opinion, may the desk transmit), else one query."""
    versions = prefetched(letter, "versions")
    if versions is not None:
        current = next((v for v in versions if v.number == letter.current_version_number), None)
        if current is None:
            return False
        if (opinions := prefetched(current, "opinions")) is not None:
            return any(o.organisation_id == organisation_id for o in opinions)
    return Opinion.objects.filter(
        rows_of(letter, via="version__"),
        version__number=letter.current_version_number,
        organisation_id=organisation_id,
    ).exists()


def _attach_versions(rows, versions_by_id: dict) -> None:
    """Give each row its version from the prefetched ones (no query, no second read of the frozen content)."""
    for row in rows:
        if (version := versions_by_id.get(row.version_id)) is not None:
            row.version = version


def letter_page(letter: IntentionLetter, *, with_opinions: bool = True) -> DossierPage:
    """Arrange the prefetched rows for the dossier page (no query). ``with_opinions=False`` (the CPTS before its
    region lets it read them, the Assurance Maladie) leaves the opinions out; the counter stays."""
    versions = list(letter.versions.all())
    current = versions[-1] if versions else None
    versions_by_id = {v.pk: v for v in versions}
    transitions = list(letter.transitions.all())
    complement_requests = list(letter.complement_requests.all())
    for rows in (transitions, complement_requests, letter.expected_opinions.all()):
        _attach_versions(rows, versions_by_id)
    opinions: list[Opinion] = []
    earlier: list[Opinion] = []
    for version in reversed(versions) if with_opinions else ():
        for opinion in version.opinions.all():
            opinion.version = version  # the page shows "avis rendu sur la version n": no query per opinion
            if version is current:
                opinions.append(opinion)
            elif not any(o.organisation_id == opinion.organisation_id for o in opinions + earlier):
                earlier.append(opinion)
    return DossierPage(
        letter=letter,
        versions=versions,
        current=current,
        opinions=sorted(opinions, key=lambda o: (not o.is_consolidated, o.organisation.name)),
        earlier_opinions=earlier,
        transitions=transitions,
        messages=list(letter.messages.all()),
        notes=list(letter.notes.all()),
        deadlines=list(letter.deadlines.all()),
        complement_requests=complement_requests,
        documents=[d for v in reversed(versions) for d in v.documents.all()],
        counter=opinion_counter(letter),
    )


@dataclass(frozen=True)
class CriterionSummary:
    label: str
    text: str  # "8 favorables, 2 réservés": the organisations' own opinions, the consolidated one apart
    consolidated: str  # the desk's consolidated assessment on this criterion, "" when there is none


@dataclass(frozen=True)
class OpinionRow:
    opinion: Opinion
    answers: list  # one OpinionAnswer (or None) per column of ``OpinionTable.criteria``


@dataclass(frozen=True)
class OpinionTable:
    """The opinions on one version laid out to read at 1280 px whatever their number (10 URPS and the Guichet):
    one row per organisation, the criteria as columns, and a summary per criterion above."""

    criteria: list  # GridCriterion, in the grid's order
    rows: list[OpinionRow]
    summary: list[CriterionSummary]  # per criterion, then the overall opinion
    has_consolidated: bool


def opinion_table(opinions: list) -> OpinionTable:
    """Arrange opinions whose answers and criteria are prefetched (no query)."""
    criteria: dict[int, GridCriterion] = {}
    for opinion in opinions:
        for answer in opinion.answers.all():
            criteria.setdefault(answer.criterion_id, answer.criterion)
    columns = sorted(criteria.values(), key=lambda c: (c.order, c.pk))
    rows = []
    for opinion in opinions:
        by_criterion = {a.criterion_id: a for a in opinion.answers.all()}
        rows.append(OpinionRow(opinion, [by_criterion.get(c.pk) for c in columns]))
    own = [r for r in rows if not r.opinion.is_consolidated]
    consolidated = next((r for r in rows if r.opinion.is_consolidated), None)
    summary = []
    for index, criterion in enumerate(columns):
        counts = Counter(r.answers[index].assessment for r in own if r.answers[index] is not None)
        desk = consolidated.answers[index] if consolidated else None
        desk_text = desk.get_assessment_display() if desk else ""
        summary.append(CriterionSummary(criterion.label, assessment_counts_text(counts), desk_text))
    summary.append(
        CriterionSummary(
            _("Avis global"),
            assessment_counts_text(Counter(r.opinion.overall for r in own)),
            consolidated.opinion.get_overall_display() if consolidated else "",
        )
    )
    return OpinionTable(columns, rows, summary, consolidated is not None)


def open_complement_request(letter: IntentionLetter) -> ComplementRequest | None:
    """The request the CPTS is answering now (shown beside the fields it concerns)."""
    if letter.status != LetterStatus.COMPLEMENTS_REQUESTED:
        return None
    return (
        ComplementRequest.objects.filter(
            content_type=_letter_content_type(), object_id=letter.pk, answered_by_version__isnull=True
        )
        .select_related("organisation", "requested_by")
        .prefetch_related("field_comments")
        .order_by("-created_at")
        .first()
    )


def document_ready(version: DossierVersion, kind: str) -> RenderedDocument | None:
    return RenderedDocument.objects.filter(version=version, kind=kind, status=RenderStatus.READY).first()


# --- What awaits a person ("ce qui m'attend") -----------------------------------------------------------------


def _next_stage_item(letter: IntentionLetter, today: dt.date) -> AwaitingItem:
    """After validation the CPTS writes its health project, by the deadline the decision opened (9 months in the
    2019 scale; La Réunion: the end of the structure d'appui's support). Reads prefetched rows only."""
    started = related_or_none(letter.cpts, "health_project") is not None
    deadlines = [d for d in letter.deadlines.all() if d.kind in _NEXT_STAGE_DEADLINES and d.closed_at is None]
    deadline = min(deadlines, key=lambda d: (_NEXT_STAGE_DEADLINES.index(d.kind), d.due_at), default=None)
    return AwaitingItem(
        letter,
        _("Rédiger le projet de santé") if started else _("Ouvrir et rédiger le projet de santé"),
        url=reverse("projects:health_project_detail", args=[letter.cpts_id]),
        deadline=deadline,
        days_left=(timezone.localdate(deadline.due_at) - today).days if deadline else None,
    )


_NEXT_STAGE_DEADLINES = [DeadlineKind.ACCOMPANIMENT, DeadlineKind.SUPPORT]


def letter_awaiting_dossiers(user) -> list[IntentionLetter]:
    """The open letters a person may act on, with what "ce qui m'attend" reads prefetched."""
    letters = list(
        letter_list_for_user(user)
        .exclude(status__in=[LetterStatus.REFUSED, LetterStatus.ABANDONED])
        .select_related("identity_sheet", "cpts__health_project")
    )
    # A departmental body's parts read each CPTS's area: one query for the list, not one per letter.
    departement_ids_prime([letter.cpts for letter in letters], for_user=user)
    if validated := [letter for letter in letters if letter.status == LetterStatus.VALIDATED]:
        # The next stage's deadline: one query, and only once a letter is validated.
        open_deadlines = Deadline.objects.filter(closed_at__isnull=True).order_by("due_at")
        prefetch_related_objects(validated, Prefetch("deadlines", queryset=open_deadlines))
    return letters


def letter_more_awaiting(user, letter: IntentionLetter, roles: frozenset, today: dt.date) -> list:
    """What a validated letter opens for the CPTS: the fiche signalétique where the region asks for it (La
    Réunion), then the health project and its deadline."""
    if letter.status != LetterStatus.VALIDATED or not roles & {Actor.COORDINATOR, Actor.MEMBER}:
        return []
    items = []
    settings = letter.regional_settings
    if settings is not None and settings.identity_sheet_required and not hasattr(letter, "identity_sheet"):
        items.append(("cpts", AwaitingItem(letter, _("Remplir la fiche signalétique"))))
    project = related_or_none(letter.cpts, "health_project")
    if project is None or project.status == HealthProjectStatus.DRAFT:
        # Once put to signature, the health project's own definition says what awaits the CPTS.
        items.append(("cpts", _next_stage_item(letter, today)))
    return items


def notification_list_for_user(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user, channel="portal").select_related("event__actor")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-event__created_at", "-pk")


def letter_is_validated(cpts) -> bool:
    """Whether the CPTS's intention letter was validated (the health project may then be written)."""
    return IntentionLetter.objects.filter(cpts=cpts, status=LetterStatus.VALIDATED).exists()
