"""Reads of the diagnostics app that carry rules: a territory and its summary, overlaps, commune search.

Every page-building read costs a fixed number of queries whatever the number of communes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db.models import Case, Count, Field, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.choices import OrganisationKind
from accounts.models import Departement, Organisation, Region
from accounts.permissions import ALLOWED, Decision
from accounts.selectors import is_administrator, membership_list_for_user
from cpts_portal.tailles import PopulationBand

from . import calculations as calc
from .choices import LinkKind
from .models import PARTICULARITY_SOURCE, Commune, Diagnostic, DiagnosticLink, Epci, Territory, TerritoryCommune
from .normalise import normalise_name
from .parts import cpts_engaged_ids, cpts_stage_labels, seen_cpts_q

DEFAULT_OTHER_STATUS = "projet"


# ---------------------------------------------------------------------------------------------------------------
# Territory and its communes
# ---------------------------------------------------------------------------------------------------------------


def cpts_get(pk: int) -> Organisation:
    """The CPTS with its territory (if any) in one query; raises ``Organisation.DoesNotExist``."""
    return Organisation.objects.select_related("region", "territory__instructing_region").get(
        pk=pk, kind=OrganisationKind.CPTS
    )


def territory_for_cpts(cpts: Organisation) -> Territory | None:
    try:
        return cpts.territory
    except ObjectDoesNotExist:
        return None


def territory_entry_list(territory: Territory | None) -> list[TerritoryCommune]:
    """The communes of a territory with what the page shows of them (never their outlines)."""
    if territory is None or territory.pk is None:
        return []
    return list(
        territory.entries.select_related(
            "commune__departement__region", "commune__epci", "commune__parent", "conflict_explained_by"
        )
        .defer("commune__geometry_wkb", "commune__parent__geometry_wkb")
        .order_by("commune__name", "commune__insee_code")
    )


def _parts(entries: Iterable[TerritoryCommune]) -> list[calc.PopulationPart]:
    return [calc.PopulationPart(e.commune.population, e.is_partial, e.declared_population) for e in entries]


def territory_population(territory: Territory | None, entries: list[TerritoryCommune] | None = None) -> int:
    """Inhabitants of the territory: whole communes count their population, parts their declared population."""
    if entries is None:
        entries = territory_entry_list(territory)
    return calc.population_total(_parts(entries)).total


# Why the bands reach diagnostics through a reader handed over, not an import (issue 13, points 7 and 8): the
# tailles' population bounds are data of the funding scale in force (``funding.ScaleSize``, versioned with its
# scale), and funding sits above diagnostics, so diagnostics may not import it. Passing the bands as an argument
# down from the pages' callers is not open either: the territory pages are diagnostics' own views, and
# missions' diagnostic figures (another caller of ``territory_summary``) sit below funding too. Copying the
# bounds onto a diagnostics model would make two sources to keep in step. So funding, which owns the data,
# hands diagnostics its one reader when the apps load (``funding.apps.FundingConfig.ready`` calls
# ``use_size_bands``), as Django's signals invert a dependency: the bounds are read in one place
# (``funding.selectors.size_bands_in_force``), applied by one rule (``cpts_portal.tailles``), and no threshold
# is written here. There is no fallback: without a reader the portal is misconfigured (an error, never other
# bounds), and while no scale is in force the taille is unknown (None, shown "—").
SizeBandsReader = Callable[[dt.date], Sequence[PopulationBand]]
_size_bands_reader: SizeBandsReader | None = None


def use_size_bands(reader: SizeBandsReader) -> None:
    """Set where the tailles' population bands are read (funding's scale in force; see the comment above)."""
    global _size_bands_reader
    _size_bands_reader = reader


def size_bands_in_force(on: dt.date | None = None) -> Sequence[PopulationBand]:
    """The population bands of the funding scale in force on ``on`` (today by default); empty while none is."""
    if _size_bands_reader is None:
        raise ImproperlyConfigured("The funding app hands diagnostics its scale's size bands when it loads.")
    return _size_bands_reader(on or timezone.localdate())


def territory_size(
    territory_or_population: Territory | int | None, *, bands: Sequence[PopulationBand] | None = None
) -> int | None:
    """Taille of a territory (or of a population) under the scale in force; None while no scale is in force."""
    if isinstance(territory_or_population, int):
        population = territory_or_population
    else:
        population = territory_population(territory_or_population)
    return calc.size_from_population(population, size_bands_in_force() if bands is None else bands)


# ---------------------------------------------------------------------------------------------------------------
# Overlaps with other CPTS
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overlap:
    """A commune of this territory that another CPTS's territory also covers (whole, in part or by arrondissement)."""

    entry: TerritoryCommune  # ours
    other_cpts_id: int
    other_cpts_name: str
    other_status: str
    other_commune_name: str  # theirs: the same commune, the city or one of its arrondissements
    other_is_partial: bool
    kind: str  # "conflict" or "shared"

    @property
    def is_conflict(self) -> bool:
        return self.kind == "conflict"

    @property
    def is_explained(self) -> bool:
        return bool(self.entry.conflict_explanation.strip())


def _other_status_labels(cpts_ids: set[int]) -> dict[int, str]:
    """The dossier status of each other CPTS (as the engine recorded it, ``CptsStage``), "projet" when it has none."""
    labels = cpts_stage_labels(cpts_ids) if cpts_ids else {}
    return {pk: labels.get(pk) or DEFAULT_OTHER_STATUS for pk in cpts_ids}


def _engaged_cpts_ids(cpts_ids: set[int]) -> set[int]:
    """The CPTS whose territory counts against others: a validated dossier or one in review (lifecycle.md)."""
    return cpts_engaged_ids(cpts_ids)


def territory_conflicts(territory: Territory | None, entries: list[TerritoryCommune] | None = None) -> list[Overlap]:
    """Every overlap of this territory with another CPTS's, conflicts first (one query besides ``entries``).

    A whole commune also in another territory is a conflict; a commune that each CPTS covers in part is
    shared information. Paris, Lyon and Marseille overlap with their own arrondissements. Only territories of
    CPTS with a dossier in review or validated count (``_engaged_cpts_ids``): a draft stays private.
    """
    if territory is None or territory.pk is None:
        return []
    if entries is None:
        entries = territory_entry_list(territory)
    if not entries:
        return []
    ids = {e.commune_id for e in entries}
    parent_ids = {e.commune.parent_id for e in entries if e.commune.parent_id}
    others = list(
        TerritoryCommune.objects.filter(Q(commune_id__in=ids | parent_ids) | Q(commune__parent_id__in=ids))
        .exclude(territory_id=territory.pk)
        .select_related("territory__cpts", "commune")
        .defer("commune__geometry_wkb")
    )
    engaged = _engaged_cpts_ids({o.territory.cpts_id for o in others})
    others = [o for o in others if o.territory.cpts_id in engaged]
    statuses = _other_status_labels(engaged)
    overlaps = []
    for entry in entries:
        mine = calc.Claim(entry.commune_id, entry.commune.parent_id, entry.is_partial)
        for other in others:
            kind = calc.overlap_kind(mine, calc.Claim(other.commune_id, other.commune.parent_id, other.is_partial))
            if kind:
                overlaps.append(
                    Overlap(
                        entry=entry,
                        other_cpts_id=other.territory.cpts_id,
                        other_cpts_name=other.territory.cpts.name,
                        other_status=statuses[other.territory.cpts_id],
                        other_commune_name=other.commune.name,
                        other_is_partial=other.is_partial,
                        kind=kind,
                    )
                )
    overlaps.sort(key=lambda o: (o.kind != "conflict", o.entry.commune.name, o.other_cpts_name))
    return overlaps


def territory_unexplained_conflicts(territory: Territory | None, overlaps: list[Overlap] | None = None) -> list[str]:
    """French reasons, one per whole-commune conflict the coordinator has not explained yet."""
    if overlaps is None:
        overlaps = territory_conflicts(territory)
    return [
        _("%(commune)s figure aussi, en entier, dans le territoire de %(cpts)s : expliquez ce chevauchement.")
        % {"commune": o.entry.commune.name, "cpts": o.other_cpts_name}
        for o in overlaps
        if o.is_conflict and not o.is_explained
    ]


def territory_can_be_submitted(
    territory: Territory | None,
    overlaps: list[Overlap] | None = None,
    entries: list[TerritoryCommune] | None = None,
) -> Decision:
    """A territory goes into a dossier once it has communes and every whole-commune conflict is explained."""
    has_entries = (
        bool(entries) if entries is not None else bool(territory and territory.pk and territory.entries.exists())
    )
    if territory is None or territory.pk is None or not has_entries:
        return Decision(False, _("Le territoire ne contient encore aucune commune."))
    reasons = territory_unexplained_conflicts(territory, overlaps)
    if reasons:
        return Decision(False, " ".join(reasons))
    return ALLOWED


# ---------------------------------------------------------------------------------------------------------------
# The summary shown on the territory page
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class TerritorySummary:
    territory: Territory | None
    entries: list[TerritoryCommune]
    population: calc.PopulationTotal
    size: int | None
    size_explanation: str
    size_bands: list[tuple[int, str]]
    size_note: str
    departements: list[Departement]
    regions: list[Region]
    overlaps: list[Overlap] = field(default_factory=list)
    submission: Decision = ALLOWED
    cities_with_arrondissements: set[int] = field(default_factory=set)  # divided by arrondissements, never "en partie"

    @property
    def conflicts(self) -> list[Overlap]:
        return [o for o in self.overlaps if o.is_conflict]

    @property
    def shared(self) -> list[Overlap]:
        return [o for o in self.overlaps if not o.is_conflict]

    @property
    def spans_several_departements(self) -> bool:
        return len(self.departements) > 1

    def overlaps_for(self, entry_id: int) -> list[Overlap]:
        return [o for o in self.overlaps if o.entry.pk == entry_id]


def territory_summary(territory: Territory | None) -> TerritorySummary:
    """Communes, population, taille with its bounds, départements and régions covered, overlaps."""
    entries = territory_entry_list(territory)
    population = calc.population_total(_parts(entries))
    bands = size_bands_in_force()
    size = calc.size_from_population(population.total, bands) if entries else None
    departements = {d.pk: d for e in entries if (d := e.commune.departement) is not None}
    regions = {d.region_id: d.region for d in departements.values()}
    overlaps = territory_conflicts(territory, entries)
    cities = set()
    if entries:
        cities = set(
            Commune.objects.filter(parent_id__in=[e.commune_id for e in entries])
            .order_by()
            .values_list("parent_id", flat=True)
            .distinct()
        )
    return TerritorySummary(
        territory=territory,
        entries=entries,
        population=population,
        size=size,
        size_explanation=calc.size_explanation(population.total, bands) if entries else "",
        size_bands=calc.size_bands(bands),
        size_note=calc.size_bounds_note(bands),
        departements=sorted(departements.values(), key=lambda d: d.code),
        regions=sorted(regions.values(), key=lambda r: r.name),
        overlaps=overlaps,
        submission=territory_can_be_submitted(territory, overlaps, entries),
        cities_with_arrondissements=cities,
    )


# ---------------------------------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResults:
    communes: list[Commune]
    epcis: list[tuple[Epci, int]]  # (EPCI, number of current communes)


def commune_search(query: str, *, limit: int = 12) -> SearchResults:
    """Communes by name (accents, case, hyphens and "Saint"/"St" ignored), INSEE code or postal code; EPCI by name."""
    query = (query or "").strip()
    if len(query) < 2:
        return SearchResults([], [])
    base = Commune.objects.filter(is_current=True).select_related("departement").defer("geometry_wkb")
    compact = query.replace(" ", "")
    if compact.isdigit() or (len(compact) <= 5 and compact[:2].upper() in ("2A", "2B")):
        code = compact.upper()
        communes: list[Commune] = list(
            base.filter(Q(insee_code__startswith=code) | Q(postal_code_index__contains=" " + code))
            .annotate(rank=Case(When(insee_code=code, then=Value(0)), default=Value(1), output_field=IntegerField()))
            .order_by("rank", "-population", "name")[:limit]
        )
        return SearchResults(communes, [])
    normalised = normalise_name(query)
    if not normalised:
        return SearchResults([], [])
    communes = list(
        base.filter(search_name__contains=normalised)
        .annotate(
            rank=Case(
                When(search_name=normalised, then=Value(0)),
                When(search_name__startswith=normalised, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "-population", "name")[:limit]
    )
    epcis = list(
        Epci.objects.filter(name__icontains=query)
        .annotate(commune_count=Count("communes", filter=Q(communes__is_current=True)))
        .filter(commune_count__gt=0)
        .order_by("name")[:5]
    )
    return SearchResults(communes, [(e, e.commune_count) for e in epcis])


# ---------------------------------------------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------------------------------------------


def territory_cpts_list_for_user(user) -> QuerySet[Organisation]:
    """CPTS whose territory a person may see (``can_view_territory``): their own, those their reviewing bodies see
    once a letter was deposited (``parts.seen_cpts_q``), or all for administrators."""
    qs = Organisation.objects.filter(kind=OrganisationKind.CPTS, is_active=True).select_related(
        "region", "territory__instructing_region"
    )
    if is_administrator(user):
        return qs.order_by("name")
    own = {m.organisation_id for m in membership_list_for_user(user) if m.organisation.kind == OrganisationKind.CPTS}
    condition = Q(pk__in=own)
    # The rule of ``can_view_territory`` (``parts.sees_cpts``): drafts stay private, departmental bodies see their
    # area.
    condition |= seen_cpts_q(user, deposited_only=True)
    return qs.filter(condition).order_by("name")


# ---------------------------------------------------------------------------------------------------------------
# The diagnostic: its written steps, its links, the communes' particularities
# ---------------------------------------------------------------------------------------------------------------


def diagnostic_for_territory(territory: Territory | None) -> Diagnostic | None:
    """The territory's diagnostic with its links (one query each, whatever their number); None before any is saved."""
    if territory is None or territory.pk is None:
        return None
    return (
        Diagnostic.objects.filter(territory=territory)
        .prefetch_related(Prefetch("links", queryset=DiagnosticLink.objects.order_by("kind", "name", "pk")))
        .first()
    )


def diagnostic_links(diagnostic: Diagnostic | None) -> list[DiagnosticLink]:
    return list(diagnostic.links.all()) if diagnostic is not None else []


@dataclass(frozen=True)
class LinkGroup:
    """The links of one kind (DAC, CLS, hôpital de proximité, PTS), in the order of the ARS template."""

    kind: str
    label: str
    links: list[DiagnosticLink]


def diagnostic_link_groups(diagnostic: Diagnostic | None) -> list[LinkGroup]:
    links = diagnostic_links(diagnostic)
    return [LinkGroup(kind.value, str(kind.label), [li for li in links if li.kind == kind]) for kind in LinkKind]


def _annex(diagnostic: Diagnostic | None) -> dict | None:
    if diagnostic is None or not diagnostic.data_annex:
        return None
    return {"name": diagnostic.data_annex_name, "size": diagnostic.data_annex_size}


def particularity_row(entry: TerritoryCommune) -> dict:
    """One commune's particularity as frozen: the three flags, their short labels, the note and who says so."""
    return {
        "qpv": entry.in_qpv,
        "zip": entry.in_zip,
        "zac": entry.in_zac,
        "labels": entry.particularities,
        "note": entry.particularity_note,
        "declared": entry.particularity_declared,
        "declared_at": entry.particularity_declared_at.isoformat() if entry.particularity_declared_at else None,
        "source": str(PARTICULARITY_SOURCE),
    }


def diagnostic_snapshot(cpts: Organisation) -> dict:
    """The diagnostic as the health project freezes it (JSON-serialisable): the narrative frozen since schema 1,
    then the method, the data collected (and the annex's file name), the analysis, the strategic orientations, the
    sharing with the stakeholders, the links with the DAC, CLS, hôpital de proximité and PTS, and each commune's
    particularity keyed by INSEE code. Four queries whatever the number of communes and links."""
    territory = territory_for_cpts(cpts)
    diagnostic = diagnostic_for_territory(territory)

    def text(name: str) -> str:
        return getattr(diagnostic, name) if diagnostic is not None else ""

    return {
        "narrative": {name: text(name) for name in Diagnostic.NARRATIVE_SECTIONS},
        "method": text("method_text"),
        "data_collected": {"text": text("data_collected_text"), "annex": _annex(diagnostic)},
        "analysis": text("analysis_text"),
        "orientations": text("orientations_text"),
        "sharing": {
            "text": text("sharing_text"),
            "shared_on": diagnostic.shared_on.isoformat() if diagnostic and diagnostic.shared_on else None,
        },
        "links": [
            {
                "kind": link.kind,
                "kind_label": link.get_kind_display(),
                "name": link.name,
                "status": link.status,
                "status_label": link.get_status_display(),
                "date": link.status_date.isoformat() if link.status_date else None,
                "articulation": link.articulation,
            }
            for link in diagnostic_links(diagnostic)
        ],
        "particularities": {e.commune.insee_code: particularity_row(e) for e in territory_entry_list(territory)},
        "particularity_source": str(PARTICULARITY_SOURCE),
    }


def diagnostic_missing(cpts: Organisation) -> list[tuple[str, str]]:
    """What the diagnostic still lacks before the health project is deposited, each with where it is filled:
    (French label, URL of the page and anchor)."""
    territory = territory_for_cpts(cpts)
    entries = territory_entry_list(territory)
    diagnostic = diagnostic_for_territory(territory)
    kwargs = {"cpts_pk": cpts.pk}
    edit_url = reverse("diagnostics:diagnostic_edit", kwargs=kwargs)
    missing: list[tuple[str, str]] = []
    if not entries:
        missing.append((_("communes du territoire"), reverse("diagnostics:territory_edit", kwargs=kwargs)))
    undeclared = [e for e in entries if not e.particularity_declared]
    if undeclared:
        missing.append(
            (
                ngettext(
                    "particularité (QPV, ZIP, ZAC) de %(n)d commune",
                    "particularité (QPV, ZIP, ZAC) de %(n)d communes",
                    len(undeclared),
                )
                % {"n": len(undeclared)},
                reverse("diagnostics:particularity_edit", kwargs=kwargs),
            )
        )
    if not (diagnostic and (diagnostic.needs_text or diagnostic.health_status_text)):
        missing.append((_("besoins identifiés et état de santé"), f"{edit_url}#id_needs_text"))
    for name in Diagnostic.METHOD_SECTIONS:
        if not (diagnostic and getattr(diagnostic, name).strip()):
            label = cast(Field, Diagnostic._meta.get_field(name)).verbose_name
            missing.append((str(label), f"{edit_url}#id_{name}"))
    present = {link.kind for link in diagnostic_links(diagnostic)}
    create_url = reverse("diagnostics:diagnostic_link_create", kwargs=kwargs)
    for kind in LinkKind:
        if kind not in present:
            missing.append(
                (
                    _("lien avec un dispositif : %(kind)s (ou « aucun sur le territoire »)") % {"kind": kind.label},
                    f"{create_url}?kind={kind.value}",
                )
            )
    return missing
