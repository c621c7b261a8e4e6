"""The diagnostic's steps (issue 15, point 1): particularities of the communes, method to sharing with an annex,
links with the DAC / CLS / hôpital de proximité / PTS, what the health project freezes and what is missing."""

import html
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfWriter

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory
from diagnostics.choices import LinkKind, LinkStatus
from diagnostics.models import Diagnostic, DiagnosticLink
from diagnostics.selectors import diagnostic_missing, diagnostic_snapshot
from diagnostics.services import diagnostic_link_save, diagnostic_update

from .factories import CommuneFactory, TerritoryCommuneFactory, TerritoryFactory, engage

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def url(name, cpts, **kwargs):
    return reverse(f"diagnostics:{name}", kwargs={"cpts_pk": cpts.pk, **kwargs})


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def member(cpts):
    return MembershipFactory(organisation=cpts, role=Role.MEMBER).user


@pytest.fixture
def territory(cpts):
    territory = TerritoryFactory(cpts=cpts)
    TerritoryCommuneFactory(
        territory=territory, commune=CommuneFactory(name="Ayguesvives", insee_code="31004", postal_codes=["31450"])
    )
    TerritoryCommuneFactory(territory=territory, commune=CommuneFactory(name="Baziège", insee_code="31048"))
    return territory


STEPS = {
    "method_text": "Un comité de pilotage et un questionnaire.",
    "data_collected_text": "Rezone CPTS et le CLS.",
    "needs_text": "Des médecins traitants.",
    "analysis_text": "Un territoire qui vieillit.",
    "orientations_text": "Médecin traitant d'abord.",
    "sharing_text": "Restitution en plénière.",
    "shared_on": "2024-12-12",
}


# --- Method, data collected and annex, analysis, orientations, sharing ------------------------------------------


def test_the_coordinator_records_every_step_with_a_pdf_annex_that_readers_download(
    client, owner, member, cpts, territory
):
    client.force_login(owner)
    response = client.post(
        url("diagnostic_edit", cpts),
        {**STEPS, "data_annex": SimpleUploadedFile("Données Rezone.pdf", pdf_bytes())},
    )
    assert response.status_code == 302
    diagnostic = Diagnostic.objects.get(territory=territory)
    assert diagnostic.data_annex_name == "Données Rezone.pdf" and diagnostic.data_annex_size == len(pdf_bytes())
    assert str(diagnostic.shared_on) == "2024-12-12"
    client.force_login(member)
    page = text(client.get(url("diagnostic_detail", cpts)))
    for label in ("Méthode de réalisation du diagnostic", "Données collectées", "Analyse des données",
                  "Pistes stratégiques retenues", "Partage du diagnostic avec les parties prenantes"):  # fmt: skip
        assert label in page
    assert "Un comité de pilotage" in page and "Partagé le 12 décembre 2024" in page
    assert "Données Rezone.pdf" in page and "Rédiger ou modifier" not in page
    annex = client.get(url("diagnostic_annex", cpts))
    assert annex["Content-Type"] == "application/pdf" and b"".join(annex.streaming_content) == pdf_bytes()


def test_a_false_pdf_is_refused_and_nothing_is_saved(client, owner, cpts, territory):
    client.force_login(owner)
    fake = SimpleUploadedFile("donnees.pdf", b"<html>pas un PDF</html>", content_type="application/pdf")
    response = client.post(url("diagnostic_edit", cpts), {**STEPS, "data_annex": fake})
    assert response.status_code == 400
    assert "Le fichier n'est pas un PDF" in text(response)
    assert not Diagnostic.objects.filter(territory=territory, method_text__startswith="Un comité").exists()


def test_the_annex_is_refused_beyond_the_size_limit_and_can_be_removed(client, owner, cpts, territory, settings):
    client.force_login(owner)
    settings.GOVERNANCE_PDF_MAX_BYTES = 100
    response = client.post(url("diagnostic_edit", cpts), {"data_annex": SimpleUploadedFile("a.pdf", pdf_bytes())})
    assert response.status_code == 400 and "dépasse la taille maximale" in text(response)
    settings.GOVERNANCE_PDF_MAX_BYTES = 10 * 1024 * 1024
    client.post(url("diagnostic_edit", cpts), {"data_annex": SimpleUploadedFile("a.pdf", pdf_bytes())})
    assert Diagnostic.objects.get(territory=territory).data_annex
    client.post(url("diagnostic_edit", cpts), {"remove_annex": "on"})
    assert not Diagnostic.objects.get(territory=territory).data_annex
    assert client.get(url("diagnostic_annex", cpts)).status_code == 404


def test_a_replaced_annex_file_goes_only_once_the_change_is_committed(
    owner, cpts, territory, django_capture_on_commit_callbacks
):
    """A rolled-back replacement keeps the file its restored row names (it was deleted at once before)."""
    from django.db import transaction

    from diagnostics.services import diagnostic_annex_attach, diagnostic_annex_remove

    first = diagnostic_annex_attach(territory=territory, uploaded=SimpleUploadedFile("a.pdf", pdf_bytes()), user=owner)
    storage, name = first.data_annex.storage, first.data_annex.name
    with transaction.atomic():
        diagnostic_annex_remove(territory=territory, user=owner)
        transaction.set_rollback(True)
    assert storage.exists(name) and Diagnostic.objects.get(territory=territory).data_annex.name == name
    with django_capture_on_commit_callbacks(execute=True):
        diagnostic_annex_attach(territory=territory, uploaded=SimpleUploadedFile("b.pdf", pdf_bytes()), user=owner)
    assert not storage.exists(name)


# --- Particularities of the communes -----------------------------------------------------------------------------


def _formset(territory, rows):
    entries = list(territory.entries.order_by("commune__name", "commune__insee_code"))
    data = {"form-TOTAL_FORMS": str(len(entries)), "form-INITIAL_FORMS": str(len(entries))}
    for i, (entry, flags) in enumerate(zip(entries, rows, strict=True)):
        data[f"form-{i}-id"] = str(entry.pk)
        data.update({f"form-{i}-{name}": "on" for name in flags if name != "note"})
        data[f"form-{i}-particularity_note"] = flags.get("note", "")
    return data


def test_particularities_are_declared_by_the_cpts_and_shown_so_in_both_territory_tables(
    client, owner, colleague, cpts, territory
):
    engage(cpts, status="under_review")  # the letter froze the communes: the particularities stay open
    client.force_login(owner)
    data = _formset(territory, [{"in_qpv": 1, "in_zac": 1, "note": "QPV Les Jardins"}, {}])
    assert client.post(url("particularity_edit", cpts), data).status_code == 302
    ayguesvives = territory.entries.get(commune__name="Ayguesvives")
    assert ayguesvives.particularities == ["QPV", "ZAC"] and ayguesvives.particularity_declared_by == owner
    assert territory.entries.get(commune__name="Baziège").particularity_declared  # "aucune" is a declaration
    client.force_login(colleague)
    for page_name in ("territory_edit", "diagnostic_detail"):
        page = text(client.get(url(page_name, cpts)))
        assert "QPV Les Jardins" in page and "déclaré par la CPTS" in page and "Aucune" in page
        assert "Renseigner les particularités" not in page
    assert client.post(url("particularity_edit", cpts), data).status_code == 403


def test_a_commune_is_not_both_zip_and_zac(client, owner, cpts, territory):
    client.force_login(owner)
    response = client.post(url("particularity_edit", cpts), _formset(territory, [{"in_zip": 1, "in_zac": 1}, {}]))
    assert response.status_code == 400
    assert "soit en zone d'intervention prioritaire (ZIP), soit en zone d'action complémentaire (ZAC)" in text(response)
    assert not territory.entries.filter(particularity_declared_at__isnull=False).exists()


# --- Links with the DAC, CLS, hôpital de proximité, PTS ---------------------------------------------------------


def test_links_are_added_changed_and_removed_on_the_diagnostic_page(client, owner, cpts, territory):
    client.force_login(owner)
    form = text(client.get(url("diagnostic_link_create", cpts), {"kind": "cls"}))
    assert 'value="cls" selected' in form
    response = client.post(
        url("diagnostic_link_create", cpts),
        {"kind": "cls", "name": "CLS du Lauragais", "status": "active", "status_date": "2023-06-15",
         "articulation": "Axe accès aux soins."},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("#h-links")
    link = DiagnosticLink.objects.get(name="CLS du Lauragais")
    page = text(client.get(url("diagnostic_detail", cpts)))
    assert "Contrat local de santé (CLS)" in page and "Axe accès aux soins." in page
    response = client.post(
        url("diagnostic_link_edit", cpts, link_pk=link.pk),
        {"kind": "cls", "name": "CLS du Lauragais 2", "status": "to_renew", "articulation": "À actualiser."},
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.name == "CLS du Lauragais 2" and link.status == LinkStatus.TO_RENEW
    assert client.post(url("diagnostic_link_delete", cpts, link_pk=link.pk)).status_code == 302
    assert not DiagnosticLink.objects.exists()


def test_link_forms_answer_in_french(client, owner, cpts, territory):
    client.force_login(owner)
    response = client.post(url("diagnostic_link_create", cpts), {"kind": "dac", "status": "active"})
    page = text(response)
    assert response.status_code == 400
    assert "Indiquez le nom du dispositif" in page and "Décrivez l'articulation prévue" in page
    # "None on the territory" needs no name; a named DAC beside it is a contradiction, refused with the reason.
    assert client.post(url("diagnostic_link_create", cpts), {"kind": "dac", "status": "absent"}).status_code == 302
    response = client.post(
        url("diagnostic_link_create", cpts),
        {"kind": "dac", "name": "DAC 31", "status": "active", "articulation": "x"},
    )
    assert response.status_code == 400 and "aucun dispositif d'appui à la coordination (DAC)" in text(response)


def test_links_are_refused_to_members_reviewers_and_outsiders(client, owner, member, colleague, outsider, cpts):
    territory = TerritoryFactory(cpts=cpts)
    engage(cpts, status="under_review")
    link = diagnostic_link_save(
        territory=territory, link=DiagnosticLink(kind=LinkKind.PTS, name="PTS 31", articulation="x")
    )
    for user in (member, colleague, outsider):
        client.force_login(user)
        assert client.get(url("diagnostic_link_create", cpts)).status_code == 403
        assert client.post(url("diagnostic_link_edit", cpts, link_pk=link.pk), {"name": "y"}).status_code == 403
        assert client.post(url("diagnostic_link_delete", cpts, link_pk=link.pk)).status_code == 403
    client.force_login(outsider)
    assert client.get(url("diagnostic_annex", cpts)).status_code == 403
    assert DiagnosticLink.objects.filter(name="PTS 31").exists()
    # The coordinator of another CPTS reaches no link of this one through their own CPTS's URL.
    other = MembershipFactory(role=Role.COORDINATOR)
    client.force_login(other.user)
    TerritoryFactory(cpts=other.organisation)
    response = client.post(url("diagnostic_link_delete", other.organisation, link_pk=link.pk))
    assert response.status_code == 404 and DiagnosticLink.objects.filter(pk=link.pk).exists()


# --- What the health project freezes and what it still lacks ---------------------------------------------------


def test_missing_names_each_step_with_where_it_is_filled_until_all_is_there(owner, cpts, territory):
    missing = dict(diagnostic_missing(cpts))
    edit = url("diagnostic_edit", cpts)
    assert missing["particularité (QPV, ZIP, ZAC) de 2 communes"] == url("particularity_edit", cpts)
    assert missing["méthode de réalisation du diagnostic"] == f"{edit}#id_method_text"
    assert missing["partage du diagnostic avec les parties prenantes"] == f"{edit}#id_sharing_text"
    assert sum(label.startswith("lien avec un dispositif") for label in missing) == 4
    diagnostic_update(territory=territory, user=owner, **{k: v for k, v in STEPS.items() if k != "shared_on"})
    for kind in LinkKind:
        diagnostic_link_save(territory=territory, link=DiagnosticLink(kind=kind, status=LinkStatus.ABSENT))
    for entry in territory.entries.all():
        entry.particularity_declared_at = entry.added_at
        entry.save()
    assert diagnostic_missing(cpts) == []


def test_the_snapshot_holds_every_step_the_links_and_the_particularities_as_json(owner, cpts, territory):
    diagnostic_update(territory=territory, user=owner, **STEPS)
    diagnostic_link_save(
        territory=territory,
        link=DiagnosticLink(kind=LinkKind.HOSPITAL, name="Hôpital de Revel", articulation="Sorties."),
    )
    snapshot = json.loads(json.dumps(diagnostic_snapshot(cpts)))
    assert snapshot["narrative"]["needs_text"] == "Des médecins traitants."
    assert set(snapshot["narrative"]) == set(Diagnostic.NARRATIVE_SECTIONS)
    assert snapshot["method"] == STEPS["method_text"] and snapshot["orientations"] == STEPS["orientations_text"]
    assert snapshot["data_collected"] == {"text": STEPS["data_collected_text"], "annex": None}
    assert snapshot["sharing"] == {"text": STEPS["sharing_text"], "shared_on": "2024-12-12"}
    assert snapshot["links"][0]["kind_label"] == "hôpital de proximité"
    assert snapshot["particularities"]["31004"]["declared"] is False
    assert snapshot["particularities"]["31004"]["source"] == "déclaré par la CPTS"


def test_the_snapshot_of_a_cpts_without_territory_is_empty_but_whole(cpts):
    snapshot = diagnostic_snapshot(cpts)
    assert snapshot["method"] == "" and snapshot["links"] == [] and snapshot["particularities"] == {}


# --- Query counts -----------------------------------------------------------------------------------------------


def _page_queries(client, cpts) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("diagnostic_detail", cpts))
    assert response.status_code == 200
    return len(queries)


def test_the_diagnostic_page_costs_the_same_queries_whatever_the_number_of_links_and_indicators(
    client, owner, cpts, territory
):
    """Counted, not bounded: one link and one indicator, then twelve links and eight indicators, same count."""
    from diagnostics.imports import indicator_dataset_import

    from .factories import IndicatorDefinitionFactory

    codes = list(territory.entries.values_list("commune__insee_code", flat=True))

    def add(links: range, indicators: int) -> None:
        for i in links:
            diagnostic_link_save(
                territory=territory,
                link=DiagnosticLink(kind=list(LinkKind)[i % 4], name=f"Dispositif {i}", articulation="x"),
            )
        definitions = [IndicatorDefinitionFactory() for _ in range(indicators)]
        header = "code_insee;" + ";".join(d.code for d in definitions)
        body = "".join(f"{c};" + ";".join("1" for _ in definitions) + "\n" for c in codes)
        indicator_dataset_import(
            SimpleUploadedFile("i.csv", f"{header}\n{body}".encode()), indicators=definitions, label="I", user=owner
        )

    client.force_login(owner)
    add(range(1), 1)
    _page_queries(client, cpts)  # the first request of a session fills caches (size bands, session)
    small = _page_queries(client, cpts)
    add(range(1, 12), 7)
    large = _page_queries(client, cpts)
    page = text(client.get(url("diagnostic_detail", cpts)))
    assert page.count('class="diagnostic-chart"') == 8 and "Dispositif 11" in page
    assert large == small, f"{small} requêtes avec 1 lien et 1 indicateur, {large} avec 12 liens et 8 indicateurs"
