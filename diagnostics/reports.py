"""The diagnostic of a territory: indicators aggregated and compared, the map, the export (read-only selectors).

Which values count: imports add to each other (``imports.py``), so every commune has, per indicator, national
values and perhaps the territory's own, of several years or sources. For each commune of the territory the most
recent one counts (year, then import: ``imports.value_rank``). The département, région and France levels sum the
latest national value of every commune (``IndicatorValue.is_latest``), with the territory's own communes counted
at the value the territory uses: a figure imported for six Aude communes shows in "Aude (11)" too.
A fixed number of queries, whatever the number of communes and indicators.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cpts_portal.charts import Bar, horizontal_bar_chart
from cpts_portal.formatting import format_number

from . import calculations as calc
from .choices import Aggregation, DatasetScope
from .imports import value_rank
from .maps import MapCommune, territory_map
from .models import Commune, IndicatorDataset, IndicatorDefinition, IndicatorValue, Territory, TerritoryCommune
from .selectors import TerritorySummary


@dataclass
class LevelValue:
    kind: str  # territory | departement | region | france
    label: str
    aggregate: calc.Aggregate
    is_sum: bool = False

    @property
    def compared(self) -> Decimal | None:
        """What the chart compares: the rate per 10 000 inhabitants for a sum, the mean otherwise."""
        return self.aggregate.rate if self.is_sum else self.aggregate.value


@dataclass
class IndicatorReport:
    indicator: IndicatorDefinition
    dataset: IndicatorDataset | None  # the most recent import the territory's values come from
    comparison_dataset: IndicatorDataset | None
    levels: list[LevelValue] = field(default_factory=list)
    covered: int = 0
    total: int = 0
    chart: SafeString | None = None
    datasets: list[IndicatorDataset] = field(default_factory=list)  # every import they come from, newest first
    commune_values: dict[int, Decimal] = field(default_factory=dict)  # commune pk -> the value that counts

    @property
    def is_sum(self) -> bool:
        return self.indicator.aggregation == Aggregation.SUM

    @property
    def compared_unit(self) -> str:
        if self.is_sum:
            return _("%(unit)s pour %(n)s habitants") % {
                "unit": self.indicator.unit,
                "n": format_number(calc.PER_INHABITANTS),
            }
        return self.indicator.unit

    @property
    def territory(self) -> LevelValue | None:
        return self.levels[0] if self.levels else None

    @property
    def is_demo(self) -> bool:
        return bool(
            any(d.is_demo for d in self.datasets)
            or (self.dataset and self.dataset.is_demo)
            or (self.comparison_dataset and self.comparison_dataset.is_demo)
        )


def _datasets(territory: Territory | None) -> tuple[dict[int, IndicatorDataset], dict[int, IndicatorDataset]]:
    """(every import the territory may read, by pk; the most recent national import of each indicator, which
    the page names as the source of the comparisons)."""
    condition = Q(scope=DatasetScope.NATIONAL)
    if territory is not None and territory.pk:
        condition |= Q(territory=territory)
    by_pk: dict[int, IndicatorDataset] = {}
    national: dict[int, IndicatorDataset] = {}
    for dataset in (
        IndicatorDataset.objects.filter(condition).prefetch_related("indicators").order_by("-imported_at", "-pk")
    ):
        by_pk[dataset.pk] = dataset
        if dataset.scope == DatasetScope.NATIONAL:
            for indicator in dataset.indicators.all():
                national.setdefault(indicator.pk, dataset)
    return by_pk, national


@dataclass
class _Chosen:
    value: Decimal
    rank: tuple
    dataset_id: int


def _territory_values(territory: Territory | None, commune_ids: list[int], indicator_ids: list[int]):
    """({(indicator, commune): the value that counts}, {(indicator, commune): latest national value})."""
    chosen: dict[tuple[int, int], _Chosen] = {}
    national: dict[tuple[int, int], Decimal] = {}
    if not commune_ids:
        return chosen, national
    series = Q(territory__isnull=True)
    if territory is not None and territory.pk:
        series |= Q(territory=territory)
    for indicator_id, commune_id, value, year, dataset_id, imported_at, territory_id, is_latest in (
        IndicatorValue.objects.filter(series, commune_id__in=commune_ids, indicator_id__in=indicator_ids)
        .values_list(
            "indicator_id",
            "commune_id",
            "value",
            "year",
            "dataset_id",
            "dataset__imported_at",
            "territory_id",
            "is_latest",
        )
        .order_by()
    ):
        key = (indicator_id, commune_id)
        rank = value_rank(year, imported_at, dataset_id)
        if key not in chosen or rank > chosen[key].rank:
            chosen[key] = _Chosen(Decimal(value), rank, dataset_id)
        if territory_id is None and is_latest:
            national[key] = Decimal(value)
    return chosen, national


def _adjust(sums: dict, key, value: Decimal, population: int | None, sign: int) -> None:
    """Add (sign 1) or take out (sign -1) one commune's value from a level's database sums."""
    row = sums.setdefault(key, {"value_sum": None, "weighted_sum": None, "population": None, "count": 0})
    row["value_sum"] = (row["value_sum"] or Decimal(0)) + sign * value
    if population is not None:
        row["weighted_sum"] = (row["weighted_sum"] or Decimal(0)) + sign * value * population
        row["population"] = (row["population"] or 0) + sign * population
    row["count"] += sign


def _level_sums(condition: Q, group: str | None, within: dict) -> dict:
    """{(indicator pk, group key): sums} computed by the database for one comparison level."""
    weighted = ExpressionWrapper(
        F("value") * F("commune__population"), output_field=DecimalField(max_digits=30, decimal_places=4)
    )
    fields = ["indicator_id"] + ([group] if group else [])
    rows = (
        IndicatorValue.objects.filter(condition, **within)
        .values(*fields)
        .annotate(
            value_sum=Sum("value"),
            weighted_sum=Sum(weighted),
            population=Sum("commune__population"),
            count=Count("id"),
        )
        .order_by()
    )
    return {(row["indicator_id"], row[group] if group else None): row for row in rows}


# Each comparison level keeps its own fill in every chart (the pattern, not the colour alone, tells them apart).
LEVEL_PATTERNS = {"territory": 0, "departement": 1, "region": 2, "france": 3}
CHART_DECIMALS = 1


def comparison_chart(levels: Sequence[LevelValue], *, title: str, unit: str) -> SafeString:
    """One indicator, the territory against its département(s), région(s) and France, drawn by the portal's one
    chart engine (cpts_portal.charts): a bar per level, its value written beside it, "pas de données" where a
    level has none; the description lists every figure for screen readers (the page also shows the table)."""
    desc = "; ".join(
        f"{level.label} : {format_number(level.compared, CHART_DECIMALS)} {unit}"
        if level.compared is not None
        else f"{level.label} : {_('pas de données')}"
        for level in levels
    )
    return horizontal_bar_chart(
        items=[
            Bar(level.label, level.compared, LEVEL_PATTERNS.get(level.kind, 0), emphasis=level.kind == "territory")
            for level in levels
        ],
        title=title,
        desc=desc,
        value_format=lambda value: format_number(value, CHART_DECIMALS),
        axis_label=unit,
        label_width=190,
        css_class="diagnostic-chart",  # the class the diagnostic page and its tests know
    )


def diagnostic_report(summary: TerritorySummary) -> list[IndicatorReport]:
    """Every active indicator over the territory, with its département(s), région(s) and France."""
    territory = summary.territory
    entries = summary.entries
    indicators = list(IndicatorDefinition.objects.filter(is_active=True))
    if not indicators:
        return []
    datasets, national_sources = _datasets(territory)
    by_commune: dict[int, TerritoryCommune] = {e.commune_id: e for e in entries}
    indicator_ids = [i.pk for i in indicators]
    chosen, national_latest = _territory_values(territory, list(by_commune) if datasets else [], indicator_ids)

    territory_values: dict[int, list[calc.CommuneValue]] = defaultdict(list)
    for (indicator_id, commune_id), pick in chosen.items():
        entry = by_commune[commune_id]
        part = calc.PopulationPart(entry.commune.population, entry.is_partial, entry.declared_population)
        territory_values[indicator_id].append(
            calc.CommuneValue(pick.value, entry.commune.population, part.share or Decimal(0))
        )

    national_q = Q(territory__isnull=True, is_latest=True, indicator_id__in=indicator_ids)
    dep_ids = [d.pk for d in summary.departements]
    reg_ids = [r.pk for r in summary.regions]
    dep_sums: dict = {}
    reg_sums: dict = {}
    france_sums: dict = {}
    if national_sources:  # no national import holds an active indicator: the levels are the territory's own values
        if dep_ids:
            dep_sums = _level_sums(national_q, "commune__departement_id", {"commune__departement_id__in": dep_ids})
        if reg_ids:
            reg_sums = _level_sums(national_q, "commune__region_id", {"commune__region_id__in": reg_ids})
        france_sums = _level_sums(national_q, None, {})
    # The territory's communes count at the value the territory uses (its own import, or a newer year).
    for (indicator_id, commune_id), pick in chosen.items():
        before = national_latest.get((indicator_id, commune_id))
        if before is not None and before == pick.value:
            continue
        commune = by_commune[commune_id].commune
        for sums, key in (
            (dep_sums, (indicator_id, commune.departement_id) if commune.departement_id in dep_ids else None),
            (reg_sums, (indicator_id, commune.region_id) if commune.region_id in reg_ids else None),
            (france_sums, (indicator_id, None)),
        ):
            if key is None:
                continue
            if before is not None:
                _adjust(sums, key, before, commune.population, -1)
            _adjust(sums, key, pick.value, commune.population, 1)

    def from_sums(indicator, row) -> calc.Aggregate:
        if row is None:
            return calc.Aggregate(None, 0, 0)
        return calc.aggregate_from_sums(
            indicator.aggregation,
            value_sum=row["value_sum"],
            weighted_sum=row["weighted_sum"],
            population=row["population"],
            count=row["count"],
        )

    picks_by_indicator: dict[int, dict] = defaultdict(dict)  # grouped once: not a scan of every pick per indicator
    for (indicator_id, commune_id), pick in chosen.items():
        picks_by_indicator[indicator_id][commune_id] = pick
    reports = []
    for indicator in indicators:
        values = territory_values.get(indicator.pk, [])
        if indicator.aggregation == Aggregation.SUM:
            aggregate = calc.aggregate_sum(values)
        else:
            aggregate = calc.aggregate_weighted_mean(values)
        is_sum = indicator.aggregation == Aggregation.SUM
        levels = [LevelValue("territory", _("Territoire"), aggregate, is_sum)]
        for dep in summary.departements:
            row = dep_sums.get((indicator.pk, dep.pk))
            levels.append(LevelValue("departement", f"{dep.name} ({dep.code})", from_sums(indicator, row), is_sum))
        for region in summary.regions:
            row = reg_sums.get((indicator.pk, region.pk))
            levels.append(LevelValue("region", region.name, from_sums(indicator, row), is_sum))
        row = france_sums.get((indicator.pk, None))
        levels.append(LevelValue("france", _("France"), from_sums(indicator, row), is_sum))
        picks = picks_by_indicator.get(indicator.pk, {})
        used = sorted(
            {datasets[p.dataset_id] for p in picks.values()}, key=lambda d: (d.imported_at, d.pk), reverse=True
        )
        report = IndicatorReport(
            indicator=indicator,
            dataset=used[0] if used else None,
            comparison_dataset=national_sources.get(indicator.pk),
            levels=levels,
            covered=aggregate.count,
            total=len(entries),
            datasets=used,
            commune_values={c: p.value for c, p in picks.items()},
        )
        if any(level.compared is not None for level in levels):
            report.chart = comparison_chart(levels, title=indicator.label, unit=report.compared_unit)
        reports.append(report)
    return reports


# ---------------------------------------------------------------------------------------------------------------
# Map
# ---------------------------------------------------------------------------------------------------------------


def territory_map_svg(summary: TerritorySummary, *, max_neighbours: int = 1500) -> SafeString | None:
    """The map of the territory (two queries: the territory's outlines, then the neighbours in its frame)."""
    entries = summary.entries
    if not entries:
        return None
    shared_ids = {o.entry.commune_id for o in summary.overlaps}
    own = {
        pk: (name, wkb, bbox)
        for pk, name, wkb, *bbox in Commune.objects.filter(pk__in=[e.commune_id for e in entries]).values_list(
            "pk", "name", "geometry_wkb", "min_lon", "min_lat", "max_lon", "max_lat"
        )
    }
    boxes = [
        (lon0, lat0, lon1, lat1)
        for _n, _w, (lon0, lat0, lon1, lat1) in own.values()
        if lon0 is not None and lat0 is not None and lon1 is not None and lat1 is not None
    ]
    communes: list[MapCommune] = []
    if boxes:
        min_lon = min(b[0] for b in boxes)
        min_lat = min(b[1] for b in boxes)
        max_lon = max(b[2] for b in boxes)
        max_lat = max(b[3] for b in boxes)
        pad_lon, pad_lat = (max_lon - min_lon) * 0.1 or 0.01, (max_lat - min_lat) * 0.1 or 0.01
        own_ids = set(own)
        parent_ids = {e.commune.parent_id for e in entries if e.commune.parent_id}
        neighbours = (
            Commune.objects.filter(
                is_current=True,
                max_lon__gte=min_lon - pad_lon,
                min_lon__lte=max_lon + pad_lon,
                max_lat__gte=min_lat - pad_lat,
                min_lat__lte=max_lat + pad_lat,
            )
            .exclude(pk__in=own_ids | parent_ids)
            .exclude(parent_id__in=own_ids)
            .values_list("name", "geometry_wkb", "parent_id")[:max_neighbours]
        )
        # A city is drawn under its arrondissements: the city first, then the arrondissements over it.
        communes.extend(
            MapCommune(name, wkb, role="neighbour")
            for name, wkb, parent in sorted(neighbours, key=lambda n: n[2] is not None)
        )
    for entry in entries:
        name, wkb, _bbox = own.get(entry.commune_id, (entry.commune.name, None, None))
        communes.append(
            MapCommune(
                name, wkb, role="territory", is_partial=entry.is_partial, is_shared=entry.commune_id in shared_ids
            )
        )
    cpts_name = summary.territory.cpts.name if summary.territory is not None else ""
    return territory_map(communes, title=_("Carte du territoire de %(cpts)s") % {"cpts": cpts_name})


# ---------------------------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------------------------


def diagnostic_export_rows(summary: TerritorySummary, reports: list[IndicatorReport]) -> tuple[list[str], list[list]]:
    """One row per commune with its values, then the territory and each comparison level."""
    territory_values = {(r.indicator.pk, c): v for r in reports for c, v in r.commune_values.items()}
    columns = [
        _("Code INSEE"),
        _("Commune"),
        _("Codes postaux"),
        _("Département"),
        _("Inclusion"),
        _("Périmètre (commune en partie)"),
        _("Population comptée"),
    ] + [f"{r.indicator.label} ({r.indicator.unit})" for r in reports]
    rows: list[list] = []
    for entry in summary.entries:
        commune = entry.commune
        rows.append(
            [
                commune.insee_code,
                commune.name,
                " ".join(commune.postal_codes or []),
                commune.departement.code if commune.departement else "",
                _("en partie (population déclarée par le coordinateur)") if entry.is_partial else _("entière"),
                entry.perimeter,
                entry.declared_population if entry.is_partial else commune.population,
            ]
            + [territory_values.get((r.indicator.pk, entry.commune_id)) for r in reports]
        )
    level_count = len(reports[0].levels) if reports else 1
    for index in range(level_count):
        label = reports[0].levels[index].label if reports else _("Territoire")
        population = summary.population.total if index == 0 else None
        rows.append(
            [
                "",
                _("Total – %(level)s") % {"level": label} if index == 0 else label,
                "",
                "",
                "",
                "",
                population,
            ]
            + [r.levels[index].aggregate.value for r in reports]
        )
    return columns, rows


def _number(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.01")))


def indicator_snapshot(reports: list[IndicatorReport]) -> list[dict]:
    """The diagnostic's indicators as a health project version freezes them (JSON): each with its definition, unit,
    source and year, the share of communes covered, and its value at every level it is compared with."""
    return [
        {
            "code": r.indicator.code,
            "label": r.indicator.label,
            "definition": r.indicator.description,
            "unit": r.indicator.unit,
            "source": r.dataset.source if r.dataset and r.dataset.source else r.indicator.source,
            "year": r.dataset.year if r.dataset and r.dataset.year else r.indicator.year,
            "covered": r.covered,
            "communes": r.total,
            "levels": [
                {
                    "kind": level.kind,
                    "label": str(level.label),
                    "value": _number(level.aggregate.value),
                    "per_10000": _number(level.aggregate.rate) if level.is_sum else None,
                }
                for level in r.levels
            ],
        }
        for r in reports
    ]
