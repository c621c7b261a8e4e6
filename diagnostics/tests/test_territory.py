"""Building a territory (services) and reading it (selectors): overlaps, submission, départements, search."""

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import DepartementFactory, OrganisationFactory, RegionFactory
from diagnostics import services
from diagnostics.models import TerritoryCommune
from diagnostics.selectors import (
    commune_search,
    territory_can_be_submitted,
    territory_conflicts,
    territory_population,
    territory_size,
    territory_summary,
    territory_unexplained_conflicts,
)

from .factories import CommuneFactory, EpciFactory, TerritoryCommuneFactory, TerritoryFactory, engage

pytestmark = pytest.mark.django_db


@pytest.fixture
def paris(db):
    paris_dep = DepartementFactory(code="75", name="Paris", region=RegionFactory(code="11", name="Île-de-France"))
    city = CommuneFactory(insee_code="75056", name="Paris", departement=paris_dep, population=2_187_526)
    arr11 = CommuneFactory(insee_code="75111", name="Paris 11e Arrondissement", kind="ARM", parent=city,
                           departement=paris_dep, population=144_292)  # fmt: skip
    arr12 = CommuneFactory(insee_code="75112", name="Paris 12e Arrondissement", kind="ARM", parent=city,
                           departement=paris_dep, population=141_494)  # fmt: skip
    return city, arr11, arr12


def test_adding_communes_and_an_epci_adds_each_commune_once(cpts):
    epci = EpciFactory(name="Communauté de communes Terres du Lauragais")
    a, b, c = (CommuneFactory(epci=epci, population=p) for p in (1000, 2000, 3000))
    territory = services.territory_get_or_create(cpts=cpts)
    assert territory.instructing_region == cpts.region
    services.territory_commune_add(territory=territory, commune=a)
    with pytest.raises(ValidationError, match="fait déjà partie"):
        services.territory_commune_add(territory=territory, commune=a)
    result = services.territory_epci_add(territory=territory, epci=epci)
    assert result.added == sorted([b, c], key=lambda x: x.name)
    assert [(x, reason) for x, reason in result.skipped] == [(a, "déjà dans le territoire")]
    assert territory_population(territory) == 6000
    assert territory.entries.count() == 3
    assert TerritoryCommune.history.filter(territory_id=territory.pk).count() == 3  # audit rows for the bulk insert


def test_a_commune_absent_from_the_latest_vintage_cannot_be_added(cpts):
    territory = services.territory_get_or_create(cpts=cpts)
    with pytest.raises(ValidationError, match="n'existe plus"):
        services.territory_commune_add(territory=territory, commune=CommuneFactory(is_current=False))


def test_paris_is_divided_by_arrondissements_not_en_partie(cpts, paris):
    city, arr11, arr12 = paris
    territory = services.territory_get_or_create(cpts=cpts)
    services.territory_commune_add(territory=territory, commune=arr11)
    services.territory_commune_add(territory=territory, commune=arr12)
    with pytest.raises(ValidationError, match="arrondissements de Paris"):
        services.territory_commune_add(territory=territory, commune=city)
    assert territory_population(territory) == 144_292 + 141_494
    other = services.territory_get_or_create(cpts=OrganisationFactory())
    entry = services.territory_commune_add(territory=other, commune=city)
    with pytest.raises(ValidationError, match="se découpe par arrondissements"):
        services.territory_commune_set_part(entry=entry, perimeter="Est", declared_population=10)
    with pytest.raises(ValidationError, match="retirez la commune entière"):
        services.territory_commune_add(territory=other, commune=arr11)


def test_a_commune_in_part_counts_its_declared_population(cpts, scales):
    toulouse = CommuneFactory(name="Toulouse", population=479_553)
    territory = services.territory_get_or_create(cpts=cpts)
    entry = services.territory_commune_add(territory=territory, commune=toulouse)
    with pytest.raises(ValidationError) as excinfo:
        services.territory_commune_set_part(entry=entry, perimeter="", declared_population=500_000)
    assert set(excinfo.value.message_dict) == {"perimeter", "declared_population"}
    services.territory_commune_set_part(entry=entry, perimeter="Quartiers nord (IRIS 3101)", declared_population=45_000)
    assert territory_population(territory) == 45_000
    assert territory_size(territory) == 2
    services.territory_commune_set_whole(entry=entry)
    assert territory_size(territory) == 4


@pytest.mark.parametrize(
    ("population", "size"),
    [(39_999, 1), (40_000, 2), (79_999, 2), (80_000, 3), (175_000, 3), (175_001, 4)],
)
def test_territory_size_at_the_bounds(cpts, population, size, scales):
    territory = TerritoryFactory(cpts=cpts)
    TerritoryCommuneFactory(territory=territory, commune=CommuneFactory(population=population - 1))
    TerritoryCommuneFactory(territory=territory, commune=CommuneFactory(population=1))
    assert territory_population(territory) == population
    assert territory_size(territory) == size
    summary = territory_summary(territory)
    assert summary.size == size
    if population in (40_000, 80_000, 175_000):
        assert "exactement" in summary.size_explanation


def test_without_a_scale_in_force_the_taille_is_unknown_not_guessed(cpts):
    territory = TerritoryFactory(cpts=cpts)
    TerritoryCommuneFactory(territory=territory, commune=CommuneFactory(population=50_000))
    summary = territory_summary(territory)
    assert territory_size(territory) is None and summary.size is None
    assert summary.size_bands == [] and summary.size_explanation == "" and summary.size_note == ""


def test_whole_commune_conflict_blocks_submission_until_explained(cpts, owner):
    balma = CommuneFactory(name="Balma")
    mine = TerritoryFactory(cpts=cpts)
    entry = TerritoryCommuneFactory(territory=mine, commune=balma)
    TerritoryCommuneFactory(territory=mine, commune=CommuneFactory())
    other = TerritoryFactory(cpts=OrganisationFactory(name="CPTS Toulouse Est"))
    engage(other.cpts)
    TerritoryCommuneFactory(territory=other, commune=balma)

    [overlap] = territory_conflicts(mine)
    assert overlap.is_conflict and overlap.other_cpts_name == "CPTS Toulouse Est"
    assert overlap.other_status == "lettre d'intention déposée"
    decision = territory_can_be_submitted(mine)
    assert not decision
    assert "Balma figure aussi, en entier, dans le territoire de CPTS Toulouse Est" in decision.reason
    assert territory_unexplained_conflicts(mine) == [decision.reason]

    services.territory_conflict_explain(
        entry=entry, explanation="Découpage convenu avec la CPTS Toulouse Est le 3 mars.", user=owner
    )
    assert territory_can_be_submitted(mine)
    entry.refresh_from_db()
    assert entry.conflict_explained_by == owner and entry.conflict_explained_at
    # A draft claims nothing: the other CPTS sees no conflict until this one deposits its letter...
    assert territory_can_be_submitted(other)
    engage(cpts)
    # ...then it does, unexplained on its side.
    assert not territory_can_be_submitted(other)


def test_sharing_a_commune_in_parts_is_information_not_a_conflict(cpts):
    toulouse = CommuneFactory(name="Toulouse", population=479_553)
    mine = TerritoryFactory(cpts=cpts)
    TerritoryCommuneFactory(
        territory=mine, commune=toulouse, is_partial=True, perimeter="Rive gauche", declared_population=60_000
    )
    other = TerritoryFactory(cpts=OrganisationFactory(name="CPTS Toulouse Rive droite"))
    engage(other.cpts)
    TerritoryCommuneFactory(
        territory=other, commune=toulouse, is_partial=True, perimeter="Rive droite", declared_population=70_000
    )
    [overlap] = territory_conflicts(mine)
    assert overlap.kind == "shared"
    assert territory_can_be_submitted(mine)


def test_a_whole_city_conflicts_with_another_cpts_arrondissement(cpts, paris):
    city, arr11, _arr12 = paris
    mine = TerritoryFactory(cpts=cpts)
    TerritoryCommuneFactory(territory=mine, commune=arr11)
    other = TerritoryFactory(cpts=OrganisationFactory(name="CPTS Paris Centre"))
    engage(other.cpts)
    TerritoryCommuneFactory(territory=other, commune=city)
    [overlap] = territory_conflicts(mine)
    assert overlap.is_conflict and overlap.other_commune_name == "Paris"
    assert not territory_can_be_submitted(mine)


def test_an_empty_territory_cannot_be_submitted(cpts):
    assert not territory_can_be_submitted(TerritoryFactory(cpts=cpts))
    assert not territory_can_be_submitted(None)


def test_a_territory_across_two_departements(cpts, scales):
    occitanie = cpts.region
    haute_garonne = DepartementFactory(code="31", name="Haute-Garonne", region=occitanie)
    aude = DepartementFactory(code="11", name="Aude", region=occitanie)
    territory = TerritoryFactory(cpts=cpts)
    TerritoryCommuneFactory(territory=territory, commune=CommuneFactory(departement=haute_garonne, population=20_000))
    TerritoryCommuneFactory(territory=territory, commune=CommuneFactory(departement=aude, population=25_000))
    summary = territory_summary(territory)
    assert [d.code for d in summary.departements] == ["11", "31"]
    assert summary.spans_several_departements
    assert [r.code for r in summary.regions] == [occitanie.code]
    assert summary.population.total == 45_000 and summary.size == 2


def test_instructing_region_can_be_another_region(cpts):
    territory = services.territory_get_or_create(cpts=cpts)
    nouvelle_aquitaine = RegionFactory(code="75", name="Nouvelle-Aquitaine")
    services.territory_region_set(territory=territory, region=nouvelle_aquitaine)
    territory.refresh_from_db()
    assert territory.instructing_region == nouvelle_aquitaine


def test_search_ignores_accents_case_hyphens_and_saint():
    orens = CommuneFactory(name="Saint-Orens-de-Gameville", insee_code="31506", postal_codes=["31650"],
                           postal_code_index=" 31650 ", population=11_000)  # fmt: skip
    ecole = CommuneFactory(name="École-Valentin", insee_code="25212", population=2500)
    CommuneFactory(name="Orens ancien", is_current=False)
    assert commune_search("st orens").communes == [orens]
    assert commune_search("SAINT ORENS DE").communes == [orens]
    assert commune_search("ecole valentin").communes == [ecole]
    assert commune_search("ÉCOLE").communes == [ecole]
    assert commune_search("31506").communes == [orens]
    assert commune_search("3165").communes == [orens]  # postal-code prefix
    assert commune_search("o").communes == []  # too short


def test_search_finds_epci_with_their_commune_count():
    epci = EpciFactory(name="Communauté de communes des Coteaux du Girou")
    CommuneFactory(epci=epci)
    CommuneFactory(epci=epci)
    results = commune_search("Coteaux du Girou")
    assert results.epcis == [(epci, 2)]


def test_only_territories_with_a_dossier_in_review_or_validated_count(cpts):
    from accounts.choices import Stage
    from diagnostics.parts import cpts_stage_record

    balma = CommuneFactory(name="Balma")
    mine = TerritoryFactory(cpts=cpts)
    TerritoryCommuneFactory(territory=mine, commune=balma)
    reviewed = TerritoryFactory(cpts=OrganisationFactory(name="CPTS en examen"))
    draft = TerritoryFactory(cpts=OrganisationFactory(name="CPTS en brouillon"))
    TerritoryCommuneFactory(territory=reviewed, commune=balma)
    TerritoryCommuneFactory(territory=draft, commune=balma)
    # Where each CPTS stands, as the engine (projects) records it: one in review, one still a draft.
    for other, status, claims in [(reviewed, "under_review", True), (draft, "draft", False)]:
        cpts_stage_record(
            other.cpts,
            stage=Stage.LETTER,
            status=status,
            label="lettre en examen" if claims else "lettre d'intention brouillon",
            submitted_once=claims,
            letter_validated=False,
            claims_territory=claims,
        )
    [overlap] = territory_conflicts(mine)
    assert (overlap.other_cpts_name, overlap.other_status) == ("CPTS en examen", "lettre en examen")
