"""Views: permissions for owner / member / colleague / outsider, wrong methods, the no-JS flow, query counts."""

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.choices import OrganisationKind, Role
from accounts.tests.factories import DepartementFactory, MembershipFactory, OrganisationFactory, RegionFactory
from diagnostics.choices import Aggregation
from diagnostics.models import Diagnostic, IndicatorDataset, IndicatorValue, TerritoryCommune
from projects.workflows.letter import letter_stage_record

from .factories import (
    CommuneFactory,
    EpciFactory,
    IndicatorDefinitionFactory,
    TerritoryCommuneFactory,
    TerritoryFactory,
    engage,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def member(cpts):
    return MembershipFactory(organisation=cpts, role=Role.MEMBER).user


@pytest.fixture
def administrator(db):
    operator = OrganisationFactory(name="Opérateur", kind=OrganisationKind.OPERATOR)
    return MembershipFactory(organisation=operator, role=Role.ADMINISTRATOR).user


@pytest.fixture
def reviewable(cpts):
    """The CPTS has deposited its letter, which came back for complements: reviewers read, the coordinator edits."""
    return engage(cpts, status="complements_requested")


@pytest.fixture
def territory(cpts):
    territory = TerritoryFactory(cpts=cpts)
    TerritoryCommuneFactory(territory=territory, commune=CommuneFactory(name="Ayguesvives", population=2600))
    TerritoryCommuneFactory(territory=territory, commune=CommuneFactory(name="Baziège", population=3400))
    return territory


def url(name, cpts, **kwargs):
    return reverse(f"diagnostics:{name}", kwargs={"cpts_pk": cpts.pk, **kwargs})


# --- Territory page ---------------------------------------------------------------------------------------------


def test_the_owner_sees_the_builder_with_population_and_size_bounds(client, owner, cpts, territory, scales):
    client.force_login(owner)
    page = text(client.get(url("territory_edit", cpts)))
    assert "Ajouter des communes" in page
    assert "6\u202f000 habitants" in page
    assert "Taille 1" in page and "moins de 40\u202f000 habitants" in page
    assert "80\u202f000 et 175\u202f000 habitants exactement relèvent de la taille 3." in page
    assert "Retirer" in page and "Inclure en partie" in page


@pytest.mark.parametrize("persona", ["member", "colleague"])
def test_members_and_reviewers_of_the_region_read_without_editing(
    request, client, cpts, territory, reviewable, persona
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url("territory_edit", cpts))
    assert response.status_code == 200
    page = text(response)
    assert "Ayguesvives" in page and "Ajouter des communes" not in page and "Retirer" not in page


def test_an_outsider_is_refused_with_a_reason(client, outsider, cpts, territory):
    client.force_login(outsider)
    response = client.get(url("territory_edit", cpts))
    assert response.status_code == 403
    assert "réservé à la CPTS" in text(response)
    assert "Ayguesvives" not in text(response)


def test_anonymous_people_are_sent_to_the_login_page(client, cpts):
    response = client.get(url("territory_edit", cpts))
    assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_reviewers_of_the_home_or_of_the_instructing_region_read_the_territory(
    client, colleague, cpts, territory, reviewable
):
    """One rule with the governance pages (``diagnostics.parts.sees_cpts``, issue 13 point 2): the territory now
    instructed by Nouvelle-Aquitaine is read by its ARS and still by the URPS of the CPTS's home region (it used to
    be refused); the ARS of a third region is refused."""
    aquitaine = RegionFactory(code="75", name="Nouvelle-Aquitaine")
    territory.instructing_region = aquitaine
    territory.save()
    client.force_login(colleague)
    assert client.get(url("territory_edit", cpts)).status_code == 200
    ars = OrganisationFactory(name="ARS Nouvelle-Aquitaine", kind=OrganisationKind.ARS, region=aquitaine)
    client.force_login(MembershipFactory(organisation=ars, role=Role.AGENT).user)
    assert client.get(url("territory_edit", cpts)).status_code == 200
    third = OrganisationFactory(name="ARS Bretagne", kind=OrganisationKind.ARS, region=RegionFactory(code="53"))
    client.force_login(MembershipFactory(organisation=third, role=Role.AGENT).user)
    assert client.get(url("territory_edit", cpts)).status_code == 403


def test_a_non_cpts_organisation_has_no_territory_page(client, owner, colleague):
    client.force_login(owner)
    urps = colleague.memberships.get().organisation
    assert client.get(reverse("diagnostics:territory_edit", kwargs={"cpts_pk": urps.pk})).status_code == 404


# --- Building without JavaScript --------------------------------------------------------------------------------


def test_search_then_add_then_remove_without_javascript(client, owner, cpts):
    balma = CommuneFactory(name="Balma", insee_code="31044", population=16_000)
    client.force_login(owner)
    page = text(client.get(url("territory_edit", cpts), {"q": "balma"}))
    assert f'name="commune" value="{balma.pk}"' in page and '<span class="visually-hidden"> Balma</span>' in page
    response = client.post(url("territory_commune_add", cpts), {"commune": balma.pk})
    assert response.status_code == 302 and response["Location"] == url("territory_edit", cpts)
    page = text(client.get(response["Location"]))
    assert "Balma ajoutée au territoire." in page and "16\u202f000 habitants" in page
    entry = TerritoryCommune.objects.get(commune=balma)
    response = client.post(url("territory_commune_remove", cpts, entry_pk=entry.pk))
    assert response.status_code == 302 and not TerritoryCommune.objects.filter(pk=entry.pk).exists()


def test_adding_a_whole_epci(client, owner, cpts):
    epci = EpciFactory(name="CC Terres du Lauragais")
    CommuneFactory(epci=epci, population=100)
    CommuneFactory(epci=epci, population=200)
    client.force_login(owner)
    response = client.post(url("territory_epci_add", cpts), {"epci": epci.pk}, follow=True)
    assert "2 communes de CC Terres du Lauragais ajoutées." in text(response)
    assert cpts.territory.entries.count() == 2


def test_a_fetch_request_gets_the_refreshed_panel(client, owner, cpts, territory):
    commune = CommuneFactory(name="Montgiscard", population=2400)
    client.force_login(owner)
    response = client.post(url("territory_commune_add", cpts), {"commune": commune.pk}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200
    page = text(response)
    assert "Montgiscard ajoutée au territoire." in page and "8\u202f400 habitants" in page
    assert "<html" not in page
    again = client.post(url("territory_commune_add", cpts), {"commune": commune.pk}, HTTP_X_REQUESTED_WITH="fetch")
    assert again.status_code == 400 and "Montgiscard fait déjà partie du territoire." in text(again)


def test_include_in_part_then_whole_again(client, owner, cpts, territory):
    entry = territory.entries.get(commune__name="Baziège")
    client.force_login(owner)
    assert "Inclure Baziège en partie" in text(client.get(url("territory_commune_part", cpts, entry_pk=entry.pk)))
    too_many = client.post(
        url("territory_commune_part", cpts, entry_pk=entry.pk), {"perimeter": "Bourg", "declared_population": 9999}
    )
    assert too_many.status_code == 200 and "dépasse celle de la commune" in text(too_many)
    response = client.post(
        url("territory_commune_part", cpts, entry_pk=entry.pk), {"perimeter": "Bourg", "declared_population": 1000}
    )
    assert response.status_code == 302
    page = text(client.get(url("territory_edit", cpts)))
    assert "population déclarée par le coordinateur" in page and "3\u202f600 habitants" in page
    client.post(url("territory_commune_whole", cpts, entry_pk=entry.pk))
    entry.refresh_from_db()
    assert not entry.is_partial and entry.declared_population is None


def test_explaining_a_conflict_shows_it_to_reviewers(client, owner, colleague, cpts, territory, reviewable):
    entry = territory.entries.get(commune__name="Ayguesvives")
    other = TerritoryFactory(cpts=OrganisationFactory(name="CPTS Sud Toulousain"))
    TerritoryCommuneFactory(territory=other, commune=entry.commune)
    engage(other.cpts)
    client.force_login(owner)
    page = text(client.get(url("territory_edit", cpts)))
    assert "Conflit : commune entière" in page and "CPTS Sud Toulousain" in page
    assert "Le territoire ne peut pas encore être déposé." in page
    client.post(url("territory_conflict_explain", cpts, entry_pk=entry.pk), {"explanation": "Partage convenu."})
    client.force_login(colleague)
    page = text(client.get(url("territory_edit", cpts)))
    assert "Partage convenu." in page and "ne peut pas encore être déposé" not in page


def test_choosing_the_instructing_region(client, owner, cpts):
    other = RegionFactory(code="75", name="Nouvelle-Aquitaine")
    client.force_login(owner)
    assert client.post(url("territory_region", cpts), {"region": other.pk}).status_code == 302
    cpts.refresh_from_db()
    assert cpts.territory.instructing_region == other


@pytest.mark.parametrize(
    "name", ["territory_commune_add", "territory_epci_add", "territory_region"]
)  # fmt: skip
@pytest.mark.parametrize("persona", ["member", "colleague", "outsider"])
def test_only_coordinators_change_the_territory(request, client, cpts, territory, name, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url(name, cpts), {"commune": CommuneFactory().pk}).status_code == 403
    assert territory.entries.count() == 2


@pytest.mark.parametrize(
    "name",
    ["territory_commune_remove", "territory_commune_whole", "territory_conflict_explain", "territory_commune_part"],
)
def test_entry_actions_are_refused_to_a_colleague(client, colleague, cpts, territory, name):
    entry = territory.entries.first()
    client.force_login(colleague)
    assert client.post(url(name, cpts, entry_pk=entry.pk)).status_code == 403


def test_an_entry_of_another_territory_is_not_found(client, owner, cpts, territory):
    foreign = TerritoryCommuneFactory()
    client.force_login(owner)
    assert client.post(url("territory_commune_remove", cpts, entry_pk=foreign.pk)).status_code == 404


@pytest.mark.parametrize(
    "name", ["territory_commune_add", "territory_epci_add", "territory_region"]
)  # fmt: skip
def test_post_only_views_refuse_get(client, owner, cpts, territory, name):
    client.force_login(owner)
    assert client.get(url(name, cpts)).status_code == 405


# --- Autocompletion ---------------------------------------------------------------------------------------------


def test_the_search_endpoint_answers_json_to_logged_in_people(client, outsider):
    CommuneFactory(name="Saint-Orens-de-Gameville", insee_code="31506", population=11_000)
    endpoint = reverse("diagnostics:commune_search")
    assert client.get(endpoint, {"q": "orens"}).status_code == 302
    client.force_login(outsider)
    data = client.get(endpoint, {"q": "st orens"}).json()
    assert [c["insee"] for c in data["communes"]] == ["31506"]
    assert data["communes"][0]["population"] == 11_000
    assert data["communes"][0]["population_label"] == "11\u202f000 hab."  # the portal's grouping, not the script's
    assert client.post(endpoint, {"q": "orens"}).status_code == 405


def test_communes_are_found_and_shown_with_or_without_their_article(client, owner, cpts):
    """Issue 12 point 3: "Le Tampon" was stored and shown as "Tampon", and a search for "Le Tampon" found nothing."""
    from diagnostics.normalise import normalise_name

    for code, name, population in [("97422", "Le Tampon", 79_639), ("97408", "La Possession", 32_985),
                                   ("72181", "Le Mans", 143_252), ("76351", "Le Havre", 170_147),
                                   ("11074", "Les Cassés", 239), ("31193", "Le Fousseret", 1_900),
                                   ("26281", "Romans-sur-Isère", 33_000)]:
        CommuneFactory(insee_code=code, name=name, population=population, search_name=normalise_name(name))
    endpoint = reverse("diagnostics:commune_search")
    client.force_login(owner)
    for query, expected in [("Le Tampon", "Le Tampon"), ("tampon", "Le Tampon"), ("LE TAMPON", "Le Tampon"),
                            ("la possession", "La Possession"), ("Possession", "La Possession"),
                            ("Le Mans", "Le Mans"), ("mans", "Le Mans"), ("Le Havre", "Le Havre"),
                            ("les casses", "Les Cassés"), ("Cassés", "Les Cassés"), ("le fousseret", "Le Fousseret")]:
        communes = client.get(endpoint, {"q": query}).json()["communes"]
        assert communes and communes[0]["name"] == expected, (query, communes)
    # The builder without JavaScript: the search result, then the added commune, keep the article.
    page = text(client.get(url("territory_edit", cpts), {"q": "Le Fousseret"}))
    assert "Le Fousseret" in page and "Romans" not in page
    fousseret = CommuneFactory(insee_code="31193")
    client.post(url("territory_commune_add", cpts), {"commune": fousseret.pk})
    page = text(client.get(url("territory_edit", cpts)))
    assert "Le Fousseret ajoutée au territoire." in page


# --- Diagnostic -------------------------------------------------------------------------------------------------


@pytest.fixture
def with_indicators(territory, owner):
    from diagnostics.imports import indicator_dataset_import

    mg = IndicatorDefinitionFactory(code="mg", label="Médecins généralistes", unit="médecins")
    codes = list(territory.entries.values_list("commune__insee_code", flat=True))
    indicator_dataset_import(
        SimpleUploadedFile("d.csv", ("code_insee;mg\n" + "".join(f"{c};3\n" for c in codes)).encode()),
        indicators=[mg],
        label="Démo",
        is_demo=True,
        user=owner,
    )
    return mg


@pytest.mark.parametrize("persona", ["owner", "member", "colleague"])
def test_the_diagnostic_shows_a_chart_and_its_table(request, client, cpts, with_indicators, reviewable, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url("diagnostic_detail", cpts))
    page = text(response)
    assert response.status_code == 200
    assert 'class="diagnostic-chart"' in page and "Médecins généralistes : territoire et niveaux de comparaison" in page
    assert "Données fictives de démonstration" in page
    assert 'class="territory-map"' in page
    assert ("Importer des indicateurs du territoire" in page) is (persona == "owner")


def test_the_diagnostic_is_refused_to_an_outsider(client, outsider, cpts, territory):
    client.force_login(outsider)
    assert client.get(url("diagnostic_detail", cpts)).status_code == 403
    assert client.get(url("diagnostic_export", cpts, fmt="csv")).status_code == 403


def test_narrative_sections_are_saved_and_rendered_sanitised(client, owner, colleague, cpts, territory, reviewable):
    client.force_login(owner)
    response = client.post(
        url("diagnostic_edit", cpts),
        {
            "population_text": "# Une population âgée\n\n**27 %** de plus de 60 ans<script>alert(1)</script>",
            "health_status_text": "",
            "care_offer_text": "[lien](javascript:alert(1)) <img src=x onerror=alert(1)>",
            "existing_coordination_text": "- MSP de Baziège\n- ESP",
            "needs_text": "Accès aux soins non programmés.",
        },
    )
    assert response.status_code == 302
    assert Diagnostic.objects.get(territory=territory).updated_by == owner
    client.force_login(colleague)
    page = client.get(url("diagnostic_detail", cpts)).content.decode()
    assert "<h3>Une population âgée</h3>" in page and "<strong>27 %</strong>" in page
    assert "<script>alert" not in page and "onerror" not in page and "javascript:" not in page
    assert "<li>MSP de Baziège</li>" in page
    assert client.post(url("diagnostic_edit", cpts), {"needs_text": "x"}).status_code == 403


def test_exports_in_csv_and_xlsx(client, colleague, cpts, with_indicators, reviewable):
    client.force_login(colleague)
    response = client.get(url("diagnostic_export", cpts, fmt="csv"))
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert "Ayguesvives" in body and "Total – Territoire" in body
    response = client.get(url("diagnostic_export", cpts, fmt="xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=1, column=8).value == "Médecins généralistes (médecins)"
    assert client.get(f"/territoires/{cpts.pk}/diagnostic/export.pdf").status_code == 404


# --- Imports ----------------------------------------------------------------------------------------------------


def test_a_coordinator_imports_for_the_territory_and_sees_every_bad_line(client, owner, cpts, territory):
    mg = IndicatorDefinitionFactory(code="mg")
    code = territory.entries.first().commune.insee_code
    client.force_login(owner)
    bad = SimpleUploadedFile("i.csv", f"code_insee;mg\n{code};x\n00000;1\n".encode())
    response = client.post(
        url("indicator_import_territory", cpts), {"file": bad, "indicators": [mg.pk], "label": "Local"}
    )
    assert response.status_code == 400
    page = text(response)
    assert "Rien n'a été importé : 2 erreurs." in page
    assert "ligne 2, colonne « mg » : valeur non numérique « x »" in page
    assert "ligne 3, colonne « code_insee » : code INSEE inconnu « 00000 »" in page
    assert not IndicatorDataset.objects.exists()
    good = SimpleUploadedFile("i.csv", f"code_insee;mg\n{code};2,5\n".encode())
    response = client.post(
        url("indicator_import_territory", cpts), {"file": good, "indicators": [mg.pk], "label": "Local"}
    )
    assert response.status_code == 302
    assert IndicatorDataset.objects.get().territory == territory


@pytest.mark.parametrize("persona", ["member", "colleague", "outsider"])
def test_only_the_coordinator_imports_for_a_territory(request, client, cpts, territory, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("indicator_import_territory", cpts)).status_code == 403


def test_national_imports_are_for_administrators(client, owner, administrator):
    mg = IndicatorDefinitionFactory(code="mg")
    commune = CommuneFactory()
    endpoint = reverse("diagnostics:indicator_import_national")
    client.force_login(owner)
    assert client.get(endpoint).status_code == 403
    client.force_login(administrator)
    assert client.get(endpoint).status_code == 200
    upload = SimpleUploadedFile("n.csv", f"code_insee;mg\n{commune.insee_code};4\n".encode())
    response = client.post(endpoint, {"file": upload, "indicators": [mg.pk], "label": "National"})
    assert response.status_code == 302
    assert IndicatorValue.objects.get().value == 4
    assert "National" in text(client.get(reverse("diagnostics:territory_list")))


def test_the_territory_list_shows_what_each_person_may_see(
    client, owner, colleague, outsider, cpts, territory, reviewable
):
    client.force_login(colleague)
    assert "Territoire de CPTS du Lauragais" in text(client.get(reverse("diagnostics:territory_list")))
    client.force_login(outsider)
    assert "CPTS du Lauragais" not in text(client.get(reverse("diagnostics:territory_list")))


def test_a_reviewer_lists_only_the_territories_they_may_open_drafts_stay_private(
    client, owner, colleague, cpts, territory, region
):
    """The list follows ``can_view_territory``: a reviewer of the region lists the CPTS whose letter was deposited
    and opens it; a CPTS of the same region whose letter is still a draft is neither listed nor opened (issue 12:
    the list used to link the draft's territory, which answered 403). Its coordinator still lists it."""
    draft_cpts = OrganisationFactory(name="CPTS du Frontonnais", region=region)
    TerritoryFactory(cpts=draft_cpts)
    from projects.choices import LetterStatus
    from projects.models import IntentionLetter

    IntentionLetter.objects.create(cpts=draft_cpts, status=LetterStatus.DRAFT)  # never deposited: no version
    engage(cpts)

    client.force_login(colleague)
    page = text(client.get(reverse("diagnostics:territory_list")))
    assert "CPTS du Lauragais" in page and url("territory_edit", cpts) in page
    assert "CPTS du Frontonnais" not in page and url("territory_edit", draft_cpts) not in page
    assert client.get(url("territory_edit", cpts)).status_code == 200
    assert client.get(url("territory_edit", draft_cpts)).status_code == 403
    assert client.get(url("diagnostic_detail", draft_cpts)).status_code == 403

    client.force_login(MembershipFactory(organisation=draft_cpts, role=Role.COORDINATOR).user)
    page = text(client.get(reverse("diagnostics:territory_list")))
    assert "CPTS du Frontonnais" in page and url("territory_edit", draft_cpts) in page


# --- Query counts -----------------------------------------------------------------------------------------------


def _territory_of(cpts, size: int, indicators: int, owner):
    from diagnostics.imports import indicator_dataset_import

    territory = TerritoryFactory(cpts=cpts)
    communes = [CommuneFactory(population=1000 + i) for i in range(size)]
    for commune in communes:
        TerritoryCommuneFactory(territory=territory, commune=commune)
    other = TerritoryFactory(cpts=OrganisationFactory())
    TerritoryCommuneFactory(territory=other, commune=communes[0])
    definitions = [
        IndicatorDefinitionFactory(aggregation=Aggregation.SUM if i % 2 else Aggregation.WEIGHTED_MEAN)
        for i in range(indicators)
    ]
    header = "code_insee;" + ";".join(d.code for d in definitions)
    lines = [f"{c.insee_code};" + ";".join(str(i + 1) for i in range(indicators)) for c in communes]
    indicator_dataset_import(
        SimpleUploadedFile("q.csv", ("\n".join([header, *lines]) + "\n").encode()),
        indicators=definitions,
        label="Q",
        user=owner,
    )
    return territory


@pytest.mark.parametrize(("size", "indicators"), [(5, 2), (60, 10)])
def test_page_query_counts_do_not_grow_with_communes_or_indicators(
    client, owner, cpts, django_assert_max_num_queries, size, indicators
):
    _territory_of(cpts, size, indicators, owner)
    client.force_login(owner)
    with django_assert_max_num_queries(20):  # +1 territory lock, +1 unread notifications (nav)
        response = client.get(url("territory_edit", cpts), {"q": "commune"})
    assert response.status_code == 200
    with django_assert_max_num_queries(23):  # +1 unread notifications (nav)
        response = client.get(url("diagnostic_detail", cpts))
    assert response.status_code == 200
    assert text(response).count('class="diagnostic-chart"') == indicators


def test_the_territory_is_frozen_while_the_letter_is_with_its_reviewers(client, owner, cpts, territory):
    letter = engage(cpts, status="under_review")
    client.force_login(owner)
    page = text(client.get(url("territory_edit", cpts)))
    assert "Ayguesvives" in page and "Retirer" not in page and "Le territoire est figé" in page
    entry = territory.entries.get(commune__name="Ayguesvives")
    response = client.post(url("territory_commune_remove", cpts, entry_pk=entry.pk))
    assert response.status_code == 403
    assert "Le territoire est figé : la lettre d'intention est « en examen »" in text(response)
    assert territory.entries.filter(pk=entry.pk).exists()
    # Complements requested: the coordinator may change it again.
    type(letter).objects.filter(pk=letter.pk).update(status="complements_requested")
    letter_stage_record(cpts)  # what the engine records with the transition
    assert client.post(url("territory_commune_remove", cpts, entry_pk=entry.pk)).status_code == 302
    assert not territory.entries.filter(pk=entry.pk).exists()


def test_a_draft_territory_stays_private_to_other_cpts(client, owner, cpts, territory):
    entry = territory.entries.get(commune__name="Ayguesvives")
    other = TerritoryFactory(cpts=OrganisationFactory(name="CPTS Brouillon Secret"))
    TerritoryCommuneFactory(territory=other, commune=entry.commune)
    client.force_login(owner)
    page = text(client.get(url("territory_edit", cpts)))
    assert "CPTS Brouillon Secret" not in page and "Conflit : commune entière" not in page


def test_an_import_for_some_communes_adds_to_the_territory_s_figures(client, owner, administrator, cpts):
    """Issue 12 point 4, as met: a territory over two départements, 18 Haute-Garonne communes with national figures
    (44 doctors); the coordinator imports 6 Aude communes (17 doctors). It used to show 17 on 6 communes, the
    Haute-Garonne values gone and "Aude (11)" without data."""
    import re

    occitanie = cpts.region
    hg = DepartementFactory(code="31", name="Haute-Garonne", region=occitanie)
    aude = DepartementFactory(code="11", name="Aude", region=occitanie)
    mg = IndicatorDefinitionFactory(code="mg", label="Médecins généralistes", unit="médecins")
    territory = TerritoryFactory(cpts=cpts)
    hg_communes = [CommuneFactory(insee_code=f"31{n:03d}", departement=hg, population=1000) for n in range(1, 19)]
    aude_communes = [CommuneFactory(insee_code=f"11{n:03d}", departement=aude, population=1000) for n in range(1, 7)]
    for commune in hg_communes + aude_communes:
        TerritoryCommuneFactory(territory=territory, commune=commune)
    national = "code_insee;mg\n" + "".join(f"{c.insee_code};{2 if n < 10 else 3}\n" for n, c in enumerate(hg_communes))
    client.force_login(administrator)
    response = client.post(
        reverse("diagnostics:indicator_import_national"),
        {"file": SimpleUploadedFile("n.csv", national.encode()), "indicators": [mg.pk], "label": "National",
         "year": 2023},
    )
    assert response.status_code == 302

    def levels():
        page = text(client.get(url("diagnostic_detail", cpts)))
        rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="num">([^<]+)</td>\s*<td class="num">[^<]*</td>'
                          r'\s*<td class="num">(\d+)</td>', page)
        return {label: (value, int(count)) for label, value, count in rows}, page

    client.force_login(owner)
    before, _page = levels()
    assert before["Territoire"] == ("44", 18) and before["Aude (11)"] == ("pas de données", 0)

    local = "code_insee;mg\n" + "".join(f"{c.insee_code};{3 if n < 5 else 2}\n" for n, c in enumerate(aude_communes))
    response = client.post(
        url("indicator_import_territory", cpts),
        {"file": SimpleUploadedFile("aude.csv", local.encode()), "indicators": [mg.pk], "label": "Aude", "year": 2023},
        follow=True,
    )
    assert "6 lignes importées dans « Aude » : 6 valeurs ajoutées, 0 remplacées, 0 inchangées" in text(response)
    after, page = levels()
    assert after["Territoire"] == ("61", 24)  # 44 + 17: added, not replaced
    assert after["Haute-Garonne (31)"] == ("44", 18)  # the Haute-Garonne values stay
    assert after["Aude (11)"] == ("17", 6)  # the comparison levels are recomputed
    assert after["Occitanie"] == ("61", 24)
    assert "Données pour 24 communes sur 24 du territoire." in page and "Sources : Aude" in page

    # The same file with one commune corrected: one value replaced, five unchanged, the others untouched.
    corrected = local.replace(f"{aude_communes[0].insee_code};3", f"{aude_communes[0].insee_code};4")
    response = client.post(
        url("indicator_import_territory", cpts),
        {"file": SimpleUploadedFile("aude.csv", corrected.encode()), "indicators": [mg.pk], "label": "Aude v2",
         "year": 2023},
        follow=True,
    )
    assert "0 valeurs ajoutées, 1 remplacées, 5 inchangées" in text(response)
    assert levels()[0]["Territoire"] == ("62", 24)

    # A failed import changes nothing and lists every bad line with its number.
    bad = f"code_insee;mg\n{aude_communes[0].insee_code};9\n{aude_communes[1].insee_code};beaucoup\n69123;1\n"
    response = client.post(
        url("indicator_import_territory", cpts),
        {"file": SimpleUploadedFile("bad.csv", bad.encode()), "indicators": [mg.pk], "label": "Faux"},
    )
    page = text(response)
    assert response.status_code == 400 and "Rien n'a été importé : 2 erreurs." in page
    assert "ligne 3, colonne « mg » : valeur non numérique « beaucoup »" in page
    assert "ligne 4, colonne « code_insee » : code INSEE inconnu « 69123 »" in page
    assert levels()[0]["Territoire"] == ("62", 24)
    assert IndicatorValue.objects.count() == 24 and not IndicatorDataset.objects.filter(label="Faux").exists()
