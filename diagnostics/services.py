"""Writes of the diagnostics app: building a territory, explaining overlaps, the narrative, indicator imports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import Organisation, Region
from cpts_portal.pdf_uploads import validate_pdf
from cpts_portal.uploads import delete_file_on_commit, scan_upload

from .choices import LinkKind, LinkStatus
from .models import Commune, Diagnostic, DiagnosticLink, Epci, Territory, TerritoryCommune

# ---------------------------------------------------------------------------------------------------------------
# Territory
# ---------------------------------------------------------------------------------------------------------------


@transaction.atomic
def territory_get_or_create(*, cpts: Organisation) -> Territory:
    """The CPTS's territory, created empty on first use; the instructing region defaults to the CPTS's."""
    territory, _created = Territory.objects.select_for_update().get_or_create(
        cpts=cpts, defaults={"instructing_region_id": cpts.region_id}
    )
    return territory


def _plm_clash(territory: Territory, commune: Commune) -> str | None:
    """Paris, Lyon, Marseille: the city and its arrondissements cannot both be in one territory."""
    if commune.parent_id and territory.entries.filter(commune_id=commune.parent_id).exists():
        return _(
            "%(city)s figure déjà dans le territoire : retirez la commune entière avant d'ajouter ses arrondissements."
        ) % {"city": cast(Commune, commune.parent).name}
    if commune.arrondissements.exists() and territory.entries.filter(commune__parent_id=commune.pk).exists():
        return _(
            "Le territoire contient déjà des arrondissements de %(city)s : gardez les arrondissements, "
            "ou retirez-les avant d'ajouter la commune entière."
        ) % {"city": commune.name}
    return None


@transaction.atomic
def territory_commune_add(*, territory: Territory, commune: Commune) -> TerritoryCommune:
    """Add one commune, whole. Refused when it is already there, no longer exists, or clashes with a city's
    arrondissements."""
    Territory.objects.select_for_update().filter(pk=territory.pk).first()
    if territory.entries.filter(commune=commune).exists():
        raise ValidationError(_("%(commune)s fait déjà partie du territoire.") % {"commune": commune.name})
    if not commune.is_current:
        raise ValidationError(
            _("%(commune)s n'existe plus dans le dernier millésime des communes.") % {"commune": commune.name}
        )
    if clash := _plm_clash(territory, commune):
        raise ValidationError(clash)
    entry = TerritoryCommune(territory=territory, commune=commune)
    entry.full_clean()
    entry.save()
    territory.save(update_fields=["updated_at"])
    return entry


@dataclass(frozen=True)
class EpciAddResult:
    added: list[Commune]
    skipped: list[tuple[Commune, str]]  # (commune, French reason)


@transaction.atomic
def territory_epci_add(*, territory: Territory, epci: Epci) -> EpciAddResult:
    """Add every current commune of an EPCI; communes already there or clashing are skipped and reported."""
    Territory.objects.select_for_update().filter(pk=territory.pk).first()
    present = set(territory.entries.values_list("commune_id", flat=True))
    present_parents = set(territory.entries.exclude(commune__parent=None).values_list("commune__parent_id", flat=True))
    added, skipped, new_entries = [], [], []
    for commune in epci.communes.filter(is_current=True).defer("geometry_wkb").order_by("name"):
        if commune.pk in present:
            skipped.append((commune, _("déjà dans le territoire")))
        elif commune.pk in present_parents:
            skipped.append((commune, _("ses arrondissements sont déjà dans le territoire")))
        else:
            new_entries.append(TerritoryCommune(territory=territory, commune=commune))
            added.append(commune)
    if not added and not skipped:
        raise ValidationError(_("Cet EPCI ne compte aucune commune."))
    # One INSERT for the whole EPCI, with its history rows (the audit trail stays complete).
    bulk_create_with_history(new_entries, TerritoryCommune)
    territory.save(update_fields=["updated_at"])
    return EpciAddResult(added=added, skipped=skipped)


@transaction.atomic
def territory_commune_remove(*, entry: TerritoryCommune) -> None:
    territory = entry.territory
    entry.delete()
    territory.save(update_fields=["updated_at"])


@transaction.atomic
def territory_commune_set_part(
    *, entry: TerritoryCommune, perimeter: str, declared_population: int | None
) -> TerritoryCommune:
    """Include a commune in part: a described perimeter and the population of that part, declared by the
    coordinator. Paris, Lyon and Marseille are divided by their arrondissements instead."""
    commune = entry.commune
    if commune.arrondissements.exists():
        raise ValidationError(
            _("%(city)s se découpe par arrondissements : ajoutez les arrondissements concernés.")
            % {"city": commune.name}
        )
    errors = {}
    if not (perimeter or "").strip():
        errors["perimeter"] = _("Décrivez le périmètre couvert (quartiers, rues, IRIS…).")
    if declared_population is None:
        errors["declared_population"] = _("Indiquez la population de cette partie.")
    elif declared_population <= 0:
        errors["declared_population"] = _("La population de la partie doit être positive.")
    elif commune.population is not None and declared_population > commune.population:
        errors["declared_population"] = _(
            "La population de la partie (%(part)s) dépasse celle de la commune (%(whole)s)."
        ) % {"part": declared_population, "whole": commune.population}
    if errors:
        raise ValidationError(errors)
    entry.is_partial = True
    entry.perimeter = perimeter.strip()
    entry.declared_population = declared_population
    entry.full_clean()
    entry.save()
    entry.territory.save(update_fields=["updated_at"])
    return entry


@transaction.atomic
def territory_commune_set_whole(*, entry: TerritoryCommune) -> TerritoryCommune:
    entry.is_partial = False
    entry.perimeter = ""
    entry.declared_population = None
    entry.full_clean()
    entry.save()
    entry.territory.save(update_fields=["updated_at"])
    return entry


@transaction.atomic
def territory_conflict_explain(*, entry: TerritoryCommune, explanation: str, user) -> TerritoryCommune:
    """Record (or clear, with an empty text) the coordinator's explanation of an overlap on this commune."""
    explanation = (explanation or "").strip()
    entry.conflict_explanation = explanation
    entry.conflict_explained_by = user if explanation else None
    entry.conflict_explained_at = timezone.now() if explanation else None
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def territory_region_set(*, territory: Territory, region: Region) -> Territory:
    """Choose the region that instructs the dossier (a territory may cross borders; access follows it)."""
    territory.instructing_region = region
    territory.full_clean()
    territory.save()
    return territory


# ---------------------------------------------------------------------------------------------------------------
# Diagnostic narrative
# ---------------------------------------------------------------------------------------------------------------


DIAGNOSTIC_FIELDS = [*Diagnostic.SECTIONS, "shared_on"]


@transaction.atomic
def diagnostic_get_or_create(*, territory: Territory) -> Diagnostic:
    """The territory's diagnostic, locked, created empty on first use."""
    diagnostic, _created = Diagnostic.objects.select_for_update().get_or_create(territory=territory)
    return diagnostic


@transaction.atomic
def diagnostic_update(*, territory: Territory, user, **fields) -> Diagnostic:
    """Save the written sections (Markdown; sanitised when rendered, stored as typed) and the date it was shared."""
    unknown = set(fields) - set(DIAGNOSTIC_FIELDS)
    if unknown:
        raise ValueError(f"unknown sections: {sorted(unknown)}")
    diagnostic = diagnostic_get_or_create(territory=territory)
    for name, value in fields.items():
        setattr(diagnostic, name, (value or "").strip() if name in Diagnostic.SECTIONS else value)
    diagnostic.updated_by = user
    diagnostic.full_clean()
    diagnostic.save()
    return diagnostic


@transaction.atomic
def diagnostic_annex_attach(*, territory: Territory, uploaded, user) -> Diagnostic:
    """Attach the data collected as a PDF annex (replacing the previous one), after the checks every stored PDF
    goes through: a real PDF within the size limit, without active content, and not infected."""
    try:
        validate_pdf(uploaded)
        scan = scan_upload(uploaded)
    except ValidationError as exc:
        raise ValidationError({"data_annex": exc.messages}) from exc
    diagnostic = diagnostic_get_or_create(territory=territory)
    delete_file_on_commit(diagnostic.data_annex.storage, diagnostic.data_annex.name)
    uploaded.seek(0)
    diagnostic.data_annex.save("annexe.pdf", uploaded, save=False)
    diagnostic.data_annex_name = (getattr(uploaded, "name", "") or "annexe.pdf")[-255:]
    diagnostic.data_annex_size = uploaded.size
    diagnostic.data_annex_scan_status = scan.status
    diagnostic.updated_by = user
    diagnostic.full_clean()
    diagnostic.save()
    return diagnostic


@transaction.atomic
def diagnostic_annex_remove(*, territory: Territory, user) -> Diagnostic:
    diagnostic = diagnostic_get_or_create(territory=territory)
    delete_file_on_commit(diagnostic.data_annex.storage, diagnostic.data_annex.name)
    diagnostic.data_annex = ""
    diagnostic.data_annex_name = ""
    diagnostic.data_annex_size = None
    diagnostic.data_annex_scan_status = ""
    diagnostic.updated_by = user
    diagnostic.save()
    return diagnostic


# ---------------------------------------------------------------------------------------------------------------
# Particularities of the communes (QPV, ZIP, ZAC), declared by the CPTS
# ---------------------------------------------------------------------------------------------------------------


@transaction.atomic
def territory_commune_particularity_set(
    *, entry: TerritoryCommune, in_qpv: bool, in_zip: bool, in_zac: bool, note: str = "", user
) -> TerritoryCommune:
    """Record what the CPTS declares of one commune (none of the three is a declaration too: "aucune")."""
    entry.in_qpv, entry.in_zip, entry.in_zac = bool(in_qpv), bool(in_zip), bool(in_zac)
    entry.particularity_note = (note or "").strip()
    entry.particularity_declared_by = user
    entry.particularity_declared_at = timezone.now()
    entry.full_clean()
    entry.save()
    return entry


# ---------------------------------------------------------------------------------------------------------------
# Links with the DAC, the CLS, the hôpital de proximité and the PTS
# ---------------------------------------------------------------------------------------------------------------


@transaction.atomic
def diagnostic_link_save(*, territory: Territory, link: DiagnosticLink) -> DiagnosticLink:
    """Create or change a link of the diagnostic. "Aucun sur le territoire" and a named dispositif of the same
    kind contradict each other: the second one is refused with the reason."""
    diagnostic = diagnostic_get_or_create(territory=territory)
    link.diagnostic = diagnostic
    if link.status == LinkStatus.ABSENT:
        link.name = ""
    same_kind = diagnostic.links.filter(kind=link.kind).exclude(pk=link.pk)
    kind_label = LinkKind(link.kind).label
    if link.status == LinkStatus.ABSENT and same_kind.exists():
        raise ValidationError(
            {"status": _("Le diagnostic cite déjà un %(kind)s : retirez-le avant d'indiquer qu'il n'y en a aucun.")
             % {"kind": kind_label}}
        )  # fmt: skip
    if link.status != LinkStatus.ABSENT and same_kind.filter(status=LinkStatus.ABSENT).exists():
        raise ValidationError(
            {"kind": _("Le diagnostic indique qu'il n'y a aucun %(kind)s sur le territoire : retirez cette mention "
                       "avant d'en ajouter un.") % {"kind": kind_label}}
        )  # fmt: skip
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def diagnostic_link_delete(*, link: DiagnosticLink) -> None:
    link.delete()
