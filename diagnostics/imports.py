"""Import of indicator datasets from CSV or XLSX: every line validated, everything imported or nothing.

An import adds to what is there: its values are upserted commune by commune into their series (one indicator,
national or one territory's own, one year, one source). A commune already in the series gets its value replaced,
the other communes keep theirs; the outcome counts what was added, replaced and left unchanged.

(A service module of its own: validation of a table is long enough to deserve one.) The file is read by
the shared ``cpts_portal.tabular.read_table`` (content sniffing, size/row/zip-bomb limits, defusedxml).
Expected columns: ``code_insee`` (or ``codgeo``, ``code INSEE``) and one column per indicator, named by the
indicator's code; other columns (a commune name, for instance) are ignored and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cpts_portal.tabular import RowError, TableError, iter_rows, read_table, require_columns

from .choices import DatasetScope
from .models import Commune, IndicatorDataset, IndicatorDefinition, IndicatorValue, Territory

INSEE_COLUMN = "code_insee"
INSEE_ALIASES = {"code_insee", "code insee", "codgeo", "insee", "code_commune", "code commune"}
INSEE_PATTERN = re.compile(r"^(\d{5}|2[AB]\d{3})$")
MAX_ABS_VALUE = Decimal("1e13")
# Spaces a spreadsheet puts in "1 234,5": plain, no-break, narrow no-break.
_SPACES = re.compile(r"[\s\u00a0\u202f]")


@dataclass(frozen=True)
class ImportOutcome:
    dataset: IndicatorDataset
    ignored_columns: list[str]

    @property
    def added(self) -> int:
        return self.dataset.added_count

    @property
    def replaced(self) -> int:
        return self.dataset.replaced_count

    @property
    def unchanged(self) -> int:
        return self.dataset.unchanged_count


def parse_french_number(text: str) -> Decimal:
    """``"12,5"``, ``"1 234,50"``, ``"1.234,5"``, ``"12.5"`` -> Decimal; raises ``ValueError`` otherwise."""
    cleaned = _SPACES.sub("", text)
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cleaned):
        raise ValueError(text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if abs(value) >= MAX_ABS_VALUE:
        raise ValueError(text)
    return value.quantize(Decimal("0.0001"))


def _normalise_insee(raw: str) -> str:
    code = raw.strip().upper()
    # A spreadsheet turns 01001 into 1001: give the département its leading zero back.
    if code.isdigit() and len(code) == 4:
        code = "0" + code
    return code


def _rename_columns(frame, indicators: list[IndicatorDefinition]):
    by_lower = {i.code.lower(): i.code for i in indicators}
    renamed = {}
    for column in frame.columns:
        key = column.strip().lower()
        if key in INSEE_ALIASES:
            renamed[column] = INSEE_COLUMN
        elif key in by_lower:
            renamed[column] = by_lower[key]
    return frame.rename(columns=renamed)


def validate_indicator_table(
    uploaded, *, indicators: list[IndicatorDefinition], territory: Territory | None = None
) -> tuple[list[tuple[int, int, dict[str, Decimal]]], list[RowError], list[str]]:
    """Validate a whole file: ``(rows as (line, commune pk, values), errors, ignored columns)``.

    Errors: missing column, unknown or missing INSEE code, duplicate commune, non-numeric value, a commune
    outside the territory (territory imports). Every bad line is listed; nothing is written here.
    """
    try:
        frame = read_table(uploaded)
    except TableError as exc:
        raise ValidationError(str(exc)) from exc
    frame = _rename_columns(frame, indicators)
    codes = [i.code for i in indicators]
    errors = require_columns(frame, [INSEE_COLUMN, *codes])
    ignored = [c for c in frame.columns if c not in {INSEE_COLUMN, *codes}]
    if INSEE_COLUMN not in frame.columns:
        return [], errors, ignored
    present = [c for c in codes if c in frame.columns]
    wanted_codes = {_normalise_insee(c) for c in frame[INSEE_COLUMN]}
    communes = dict(Commune.objects.filter(insee_code__in=wanted_codes).values_list("insee_code", "pk"))
    allowed = None
    if territory is not None:
        allowed = set(territory.entries.values_list("commune_id", flat=True))
    seen: dict[str, int] = {}
    rows: list[tuple[int, int, dict[str, Decimal]]] = []
    for line, row in iter_rows(frame):
        code = _normalise_insee(row[INSEE_COLUMN])
        line_errors = []
        commune_pk = None
        if not code:
            line_errors.append(RowError(line, _("code INSEE manquant"), INSEE_COLUMN))
        elif not INSEE_PATTERN.match(code) or code not in communes:
            line_errors.append(RowError(line, _("code INSEE inconnu « %(code)s »") % {"code": code}, INSEE_COLUMN))
        elif code in seen:
            line_errors.append(
                RowError(
                    line,
                    _("commune %(code)s en double (déjà ligne %(first)d)") % {"code": code, "first": seen[code]},
                    INSEE_COLUMN,
                )
            )
        else:
            seen[code] = line
            commune_pk = communes[code]
            if allowed is not None and commune_pk not in allowed:
                line_errors.append(
                    RowError(line, _("la commune %(code)s n'est pas dans le territoire") % {"code": code}, INSEE_COLUMN)
                )
        values: dict[str, Decimal] = {}
        for column in present:
            raw = row[column]
            if raw == "":
                continue  # no value for this commune: allowed, it is simply not counted
            try:
                values[column] = parse_french_number(raw)
            except ValueError:
                line_errors.append(RowError(line, _("valeur non numérique « %(value)s »") % {"value": raw}, column))
        if line_errors:
            errors.extend(line_errors)
        elif values and commune_pk is not None:  # a line without a commune has an error above
            rows.append((line, commune_pk, values))
    if not errors and not rows:
        errors.append(RowError(1, _("le fichier ne contient aucune valeur")))
    return rows, errors, ignored


@transaction.atomic
def indicator_dataset_import(
    uploaded,
    *,
    indicators: list[IndicatorDefinition],
    label: str,
    user,
    source: str = "",
    year: int | None = None,
    territory: Territory | None = None,
    is_demo: bool = False,
    file_name: str = "",
) -> ImportOutcome:
    """Import a dataset (national when ``territory`` is None). Raises ``ValidationError`` listing every bad
    line ("ligne 4, colonne « apl » : valeur non numérique « abc »"); then nothing is written."""
    if not indicators:
        raise ValidationError(_("Choisissez au moins un indicateur."))
    rows, errors, ignored = validate_indicator_table(uploaded, indicators=indicators, territory=territory)
    if errors:
        raise ValidationError([str(e) for e in errors])
    territory_id = territory.pk if territory else None
    source = source.strip()
    # Two imports into the same indicators wait for each other: each one sees what the other wrote.
    list(IndicatorDefinition.objects.select_for_update().filter(pk__in=[i.pk for i in indicators]).order_by("pk"))
    dataset = IndicatorDataset(
        label=label.strip(),
        source=source,
        year=year,
        scope=DatasetScope.TERRITORY if territory else DatasetScope.NATIONAL,
        territory=territory,
        is_demo=is_demo,
        file_name=file_name[:255],
        row_count=len(rows),
        imported_by=user,
    )
    dataset.full_clean()
    dataset.save()
    dataset.indicators.set(indicators)
    by_code = {i.code: i.pk for i in indicators}
    incoming = {
        (by_code[code], commune_pk): value for _line, commune_pk, values in rows for code, value in values.items()
    }
    existing = {
        (v.indicator_id, v.commune_id): v
        for v in IndicatorValue.objects.select_for_update().filter(
            indicator_id__in=by_code.values(),
            commune_id__in={commune for _indicator, commune in incoming},
            territory=territory,
            year=year,
            source=source,
        )
    }
    added, replaced, unchanged = [], [], 0
    for (indicator_id, commune_id), value in incoming.items():
        current = existing.get((indicator_id, commune_id))
        if current is None:
            added.append(
                IndicatorValue(
                    dataset=dataset,
                    indicator_id=indicator_id,
                    commune_id=commune_id,
                    territory_id=territory_id,
                    year=year,
                    source=source,
                    value=value,
                    is_latest=False,
                )
            )
        elif current.value != value:
            current.value, current.dataset = value, dataset
            replaced.append(current)
        else:
            unchanged += 1
    IndicatorValue.objects.bulk_create(added, batch_size=2000)
    IndicatorValue.objects.bulk_update(replaced, ["value", "dataset"], batch_size=2000)
    if territory is None:
        _mark_latest_national(incoming.keys())
    dataset.added_count, dataset.replaced_count, dataset.unchanged_count = len(added), len(replaced), unchanged
    dataset.save(update_fields=["added_count", "replaced_count", "unchanged_count"])
    return ImportOutcome(dataset=dataset, ignored_columns=ignored)


def value_rank(year: int | None, imported_at, dataset_id: int) -> tuple:
    """Which of a commune's values for one indicator counts: the most recent year (no year is the oldest),
    then the most recent import. The reports choose with the same rule."""
    return (year if year is not None else -1, imported_at, dataset_id)


def _mark_latest_national(pairs) -> None:
    """Flag, for each (indicator, commune) a national import touched, the national value comparisons use."""
    pairs = set(pairs)
    indicator_ids = {indicator for indicator, _commune in pairs}
    commune_ids = {commune for _indicator, commune in pairs}
    best: dict[tuple[int, int], tuple] = {}
    flagged = set()
    for pk, indicator, commune, year, imported_at, dataset_id, is_latest in IndicatorValue.objects.filter(
        territory__isnull=True, indicator_id__in=indicator_ids, commune_id__in=commune_ids
    ).values_list("pk", "indicator_id", "commune_id", "year", "dataset__imported_at", "dataset_id", "is_latest"):
        if (indicator, commune) not in pairs:
            continue
        rank = value_rank(year, imported_at, dataset_id)
        if (indicator, commune) not in best or rank > best[indicator, commune][0]:
            best[indicator, commune] = (rank, pk)
        if is_latest:
            flagged.add(pk)
    latest = {pk for _rank, pk in best.values()}
    stale, fresh = list(flagged - latest), list(latest - flagged)
    for start in range(0, max(len(stale), len(fresh)), 5000):
        IndicatorValue.objects.filter(pk__in=stale[start : start + 5000]).update(is_latest=False)
        IndicatorValue.objects.filter(pk__in=fresh[start : start + 5000]).update(is_latest=True)
