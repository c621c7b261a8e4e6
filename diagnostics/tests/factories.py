import factory
import shapely

from accounts.tests.factories import DepartementFactory, OrganisationFactory
from diagnostics.choices import Aggregation
from diagnostics.models import Commune, Epci, IndicatorDefinition, Territory, TerritoryCommune
from diagnostics.normalise import normalise_name, postal_code_index


def square_wkb(n: int, size: float = 0.05, origin=(1.40, 43.50)) -> bytes:
    """A square outline on a grid of 20 columns near Toulouse: neighbours touch, the map has something to draw."""
    lon = origin[0] + (n % 20) * size
    lat = origin[1] + (n // 20) * size
    return shapely.to_wkb(shapely.box(lon, lat, lon + size, lat + size))


class EpciFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Epci
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{200000000 + n}")
    name = factory.Sequence(lambda n: f"Communauté de communes numéro {n}")
    kind = "CC"


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("insee_code",)

    insee_code = factory.Sequence(lambda n: f"{31001 + n:05d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    kind = "COM"
    departement = factory.SubFactory(DepartementFactory)
    region = factory.LazyAttribute(lambda o: o.departement.region if o.departement else None)
    population = 1000
    population_year = 2017
    source = "tests"
    postal_codes = factory.LazyAttribute(lambda o: [f"{o.insee_code[:2]}100"])
    postal_code_index = factory.LazyAttribute(lambda o: postal_code_index(o.postal_codes))
    search_name = factory.LazyAttribute(lambda o: normalise_name(o.name))
    geometry_wkb = factory.Sequence(square_wkb)

    @factory.lazy_attribute
    def min_lon(self):
        return shapely.from_wkb(self.geometry_wkb).bounds[0] if self.geometry_wkb else None

    @factory.lazy_attribute
    def min_lat(self):
        return shapely.from_wkb(self.geometry_wkb).bounds[1] if self.geometry_wkb else None

    @factory.lazy_attribute
    def max_lon(self):
        return shapely.from_wkb(self.geometry_wkb).bounds[2] if self.geometry_wkb else None

    @factory.lazy_attribute
    def max_lat(self):
        return shapely.from_wkb(self.geometry_wkb).bounds[3] if self.geometry_wkb else None


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    cpts = factory.SubFactory(OrganisationFactory)
    instructing_region = factory.LazyAttribute(lambda o: o.cpts.region)


class TerritoryCommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TerritoryCommune

    territory = factory.SubFactory(TerritoryFactory)
    commune = factory.SubFactory(CommuneFactory)


class IndicatorDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorDefinition
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"indicateur_{n}")
    label = factory.Sequence(lambda n: f"Indicateur {n}")
    unit = "personnes"
    aggregation = Aggregation.SUM
    source = "Tests"
    year = 2024


def engage(cpts, status: str = "submitted"):
    """Give a CPTS a letter deposited once: its territory then claims its communes against other CPTS
    (lifecycle.md: a dossier in review or validated) and the instructing region's reviewers may read it."""
    from django.utils import timezone

    from accounts.tests.factories import UserFactory
    from projects.models import DossierVersion, IntentionLetter
    from projects.workflows.letter import letter_stage_record

    letter = IntentionLetter.objects.create(cpts=cpts, status=status)
    DossierVersion.objects.create(
        dossier=letter,
        number=1,
        schema_version=1,
        data={},
        sha256="0" * 64,
        submitted_by=UserFactory(),
        submitted_at=timezone.now(),
    )
    IntentionLetter.objects.filter(pk=letter.pk).update(current_version_number=1)
    letter_stage_record(cpts)  # what the engine records on a transition (``diagnostics.CptsStage``)
    return letter
