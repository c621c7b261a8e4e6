import datetime as dt
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory, UserFactory
from governance.models import GovernanceDocument, Member
from governance.tests.factories import BodyFactory, MemberFactory, PartnerFactory, StructureMemberFactory, rpps_for
from governance.tests.test_validators import minimal_pdf

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(cpts, professions, media):
    """A CPTS with a member carrying contact data, a body, a partner with its agreement and a document."""
    from governance.services import document_upload, partner_save

    member = MemberFactory(
        cpts=cpts, last_name="Durand", first_name="Anne", email="anne.durand@exemple.fr", phone="06 11 22 33 44"
    )
    body = BodyFactory(cpts=cpts)
    partner = PartnerFactory(cpts=cpts)
    partner_save(partner=partner, agreement=SimpleUploadedFile("c.pdf", minimal_pdf()))
    coordinator = UserFactory()
    document = document_upload(
        cpts=cpts,
        kind="statutes",
        title="Statuts 2024",
        uploaded_by=coordinator,
        uploaded=SimpleUploadedFile("s.pdf", minimal_pdf()),
    )
    return {"member": member, "body": body, "partner": partner, "document": document}


def read_urls(cpts, w):
    return [
        reverse("governance:overview", args=[cpts.pk]),
        reverse("governance:member_list", args=[cpts.pk]),
        reverse("governance:partner_list", args=[cpts.pk]),
        reverse("governance:body_list", args=[cpts.pk]),
        reverse("governance:document_list", args=[cpts.pk]),
        reverse("governance:inclusion_list", args=[cpts.pk]),
        reverse("governance:document_download", args=[cpts.pk, w["document"].pk]),
        reverse("governance:partner_agreement", args=[cpts.pk, w["partner"].pk]),
    ]


def manage_urls(cpts, w):
    return [
        reverse("governance:member_create", args=[cpts.pk, "professionnel"]),
        reverse("governance:member_create", args=[cpts.pk, "structure"]),
        reverse("governance:member_update", args=[cpts.pk, w["member"].pk]),
        reverse("governance:member_import", args=[cpts.pk]),
        reverse("governance:member_export", args=[cpts.pk, "csv"]),
        reverse("governance:partner_create", args=[cpts.pk]),
        reverse("governance:partner_update", args=[cpts.pk, w["partner"].pk]),
        reverse("governance:body_create", args=[cpts.pk]),
        reverse("governance:mandate_create", args=[cpts.pk, w["body"].pk]),
        reverse("governance:referent_create", args=[cpts.pk]),
        reverse("governance:document_upload", args=[cpts.pk]),
        reverse("governance:inclusion_create", args=[cpts.pk]),
    ]


def post_only_urls(cpts, w):
    return [
        reverse("governance:member_leave", args=[cpts.pk, w["member"].pk]),
        reverse("governance:member_invite", args=[cpts.pk, w["member"].pk]),
        reverse("governance:mandate_end", args=[cpts.pk, 1]),
        reverse("governance:referent_end", args=[cpts.pk, 1]),
    ]


def test_the_owner_reads_and_manages_everything(client, owner, cpts, world):
    client.force_login(owner)
    for url in read_urls(cpts, world) + manage_urls(cpts, world):
        response = client.get(url)
        assert response.status_code == 200, url
    page = text(client.get(reverse("governance:member_list", args=[cpts.pk])))
    assert "Anne Durand" in page and "anne.durand@exemple.fr" in page and "06 11 22 33 44" in page


def test_a_reviewer_of_the_region_sees_counts_and_names_but_no_contact_data(client, colleague, cpts, world):
    client.force_login(colleague)
    for url in read_urls(cpts, world):
        assert client.get(url).status_code == 200, url
    members = text(client.get(reverse("governance:member_list", args=[cpts.pk])))
    assert "Anne Durand" in members
    assert "anne.durand@exemple.fr" not in members and "06 11 22 33 44" not in members and "E-mail" not in members
    overview = text(client.get(reverse("governance:overview", args=[cpts.pk])))
    assert "Membres par catégorie" in overview and "anne.durand" not in overview
    for url in manage_urls(cpts, world):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Seuls les coordinateurs de la CPTS" in text(response)
    for url in post_only_urls(cpts, world):
        assert client.post(url, {"left_on": "2025-01-01", "ended_on": "2025-01-01"}).status_code == 403, url
    assert Member.objects.get(pk=world["member"].pk).left_on is None


def test_an_outsider_sees_nothing(client, outsider, cpts, world):
    client.force_login(outsider)
    for url in read_urls(cpts, world) + manage_urls(cpts, world):
        response = client.get(url)
        assert response.status_code == 403, url
        body = text(response)
        assert "Anne Durand" not in body and "anne.durand@exemple.fr" not in body
    for url in post_only_urls(cpts, world):
        assert client.post(url, {"left_on": "2025-01-01"}).status_code == 403, url
    index = text(client.get(reverse("governance:index"), follow=True))
    assert cpts.name not in index


def test_a_member_of_the_cpts_sees_names_but_not_contacts(client, cpts, world):
    member_user = MembershipFactory(organisation=cpts, role=Role.MEMBER).user
    client.force_login(member_user)
    page = text(client.get(reverse("governance:member_list", args=[cpts.pk])))
    assert "Anne Durand" in page and "anne.durand@exemple.fr" not in page
    assert client.get(reverse("governance:member_import", args=[cpts.pk])).status_code == 403


def test_anonymous_is_sent_to_the_login_page(client, cpts, world):
    for url in read_urls(cpts, world) + manage_urls(cpts, world):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url


def test_wrong_methods_are_refused(client, owner, cpts, world):
    client.force_login(owner)
    for url in read_urls(cpts, world):
        assert client.post(url).status_code == 405, url
    for url in post_only_urls(cpts, world):
        assert client.get(url).status_code == 405, url
    assert client.delete(reverse("governance:member_import", args=[cpts.pk])).status_code == 405


def test_the_owner_records_a_departure_through_the_page(client, owner, cpts, world):
    client.force_login(owner)
    member = world["member"]
    response = client.post(reverse("governance:member_leave", args=[cpts.pk, member.pk]), {"left_on": "2025-03-01"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.left_on == dt.date(2025, 3, 1)
    first = text(client.get(reverse("governance:member_list", args=[cpts.pk])))
    assert "Anne Durand a quitté la CPTS ; son historique est conservé." in first
    present = text(client.get(reverse("governance:member_list", args=[cpts.pk])))
    assert "Anne Durand" not in present
    everybody = text(client.get(reverse("governance:member_list", args=[cpts.pk]) + "?statut=tous"))
    assert "Anne Durand" in everybody and "01/03/2025" in everybody


def test_the_owner_adds_a_professional_with_a_checked_rpps(client, owner, cpts, professions, communes):
    from governance.models import Profession

    client.force_login(owner)
    url = reverse("governance:member_create", args=[cpts.pk, "professionnel"])
    data = {
        "last_name": "Martin",
        "first_name": "Paul",
        "profession": Profession.objects.get(code="infirmier").pk,
        "rpps": "10000001347",
        "commune": "31555",
        "joined_on": "2025-01-10",
        "membership_kind": "active",
        "joined_via": "direct",
        "involvement": "adherent",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Le numéro RPPS est invalide (clé de contrôle erronée)." in text(response)
    data["rpps"] = "100 000 013 46"
    response = client.post(url, data)
    assert response.status_code == 302
    member = Member.objects.get(cpts=cpts, last_name="Martin")
    assert member.rpps == "10000001346" and member.commune.insee_code == "31555"


def test_the_owner_adds_a_structure_with_a_checked_finess(client, owner, cpts, professions):
    from governance.models import StructureType

    client.force_login(owner)
    url = reverse("governance:member_create", args=[cpts.pk, "structure"])
    data = {
        "last_name": "CH Lauragais",
        "structure_type": StructureType.objects.get(code="etablissement_sante").pk,
        "finess": "310781407",
        "joined_on": "2025-01-10",
        "membership_kind": "partner",
        "joined_via": "agreement",
        "involvement": "adherent",
    }
    assert "Le numéro FINESS est invalide" in text(client.post(url, data))
    data["finess"] = ""
    assert "SIRET ou son numéro FINESS" in text(client.post(url, data))
    data["finess"] = "310781406"
    assert client.post(url, data).status_code == 302


def test_document_upload_page_refuses_a_renamed_file_and_an_oversized_pdf(client, owner, cpts, media, settings):
    client.force_login(owner)
    url = reverse("governance:document_upload", args=[cpts.pk])
    fake = SimpleUploadedFile("statuts.pdf", b"\x89PNG\r\n\x1a\n image", content_type="application/pdf")
    response = client.post(url, {"kind": "statutes", "title": "Statuts", "file": fake})
    assert response.status_code == 200 and "n'est pas un PDF" in text(response)
    settings.GOVERNANCE_PDF_MAX_BYTES = 200
    big = SimpleUploadedFile("statuts.pdf", minimal_pdf() + b"%" + b"x" * 500, content_type="application/pdf")
    response = client.post(url, {"kind": "statutes", "title": "Statuts", "file": big})
    assert response.status_code == 200 and "taille maximale" in text(response)
    assert GovernanceDocument.objects.count() == 0
    settings.GOVERNANCE_PDF_MAX_BYTES = 10 * 1024 * 1024
    ok = SimpleUploadedFile("statuts.pdf", minimal_pdf(), content_type="application/pdf")
    assert client.post(url, {"kind": "statutes", "title": "Statuts", "file": ok}).status_code == 302
    document = GovernanceDocument.objects.get()
    download = client.get(reverse("governance:document_download", args=[cpts.pk, document.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_the_import_page_lists_every_bad_line_and_writes_nothing(client, owner, cpts, professions, communes):
    client.force_login(owner)
    content = (
        "Nom;Prénom;Profession;RPPS;Code INSEE commune;Date d'adhésion\n"
        f"Durand;Anne;Médecin généraliste;{rpps_for(1)};31069;15/01/2024\n"
        "Martin;Paul;Infirmier;10000001347;31069;15/01/2024\n"
        f"Petit;Léa;Infirmier;{rpps_for(2)};31069;2024-13-45\n"
    ).encode()
    url = reverse("governance:member_import", args=[cpts.pk])
    response = client.post(url, {"file": SimpleUploadedFile("m.csv", content)})
    page = text(response)
    assert response.status_code == 200 and "aucune ligne n'a été enregistrée" in page
    assert "ligne 3, colonne « RPPS » : Le numéro RPPS est invalide" in page
    assert "ligne 4, colonne « Date d'adhésion » : date illisible" in page
    assert Member.objects.count() == 0
    fixed = content.replace(b"10000001347", rpps_for(3).encode()).replace(b"2024-13-45", b"2024-12-01")
    response = client.post(url, {"file": SimpleUploadedFile("m.csv", fixed)}, follow=True)
    assert "3 membre(s) ajouté(s)" in text(response)
    assert Member.objects.filter(cpts=cpts).count() == 3


def test_export_gives_contacts_to_the_owner_in_the_import_format(client, owner, cpts, world):
    client.force_login(owner)
    response = client.get(reverse("governance:member_export", args=[cpts.pk, "csv"]))
    content = response.content.decode("utf-8-sig")
    assert response["Content-Disposition"].startswith("attachment;")
    assert content.splitlines()[0].startswith("Nature;Nom;Prénom;Profession")
    assert "anne.durand@exemple.fr" in content
    assert client.get(reverse("governance:member_export", args=[cpts.pk, "pdf"])).status_code == 404


def test_invitation_link_creates_the_account_then_stops_working(client, owner, cpts, professions):
    from governance.services import member_invite

    member = MemberFactory(cpts=cpts, email="zoe@exemple.fr")
    _invitation, token = member_invite(member=member, invited_by=owner)
    url = reverse("governance:invitation_accept", args=[token])
    assert "Créer mon compte" in text(client.get(url))
    response = client.post(url, {"password1": "un-mot-de-passe-solide", "password2": "un-mot-de-passe-solide"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.user.email == "zoe@exemple.fr"
    client.logout()
    response = client.get(url)
    assert response.status_code == 410 and "déjà été utilisé" in text(response)
    assert client.get(reverse("governance:invitation_accept", args=["inconnu"])).status_code == 404


def _bulk_members(cpts, n):
    from governance.models import Profession

    gp = Profession.objects.get(code="medecin_generaliste")
    Member.objects.bulk_create(
        [MemberFactory.build(cpts=cpts, profession=gp, rpps=rpps_for(10_000 + i)) for i in range(n)]
    )
    StructureMemberFactory(cpts=cpts)


@pytest.mark.parametrize("size", [20, 2000])
def test_member_list_and_overview_cost_a_fixed_number_of_queries(
    client, owner, cpts, professions, size, django_assert_max_num_queries
):
    _bulk_members(cpts, size)
    client.force_login(owner)
    with django_assert_max_num_queries(13):  # +1 unread notifications (nav)
        response = client.get(reverse("governance:member_list", args=[cpts.pk]))
    assert response.status_code == 200
    assert response.context["paginator"].count == size + 1
    with django_assert_max_num_queries(17):  # +1 unread notifications (nav)
        response = client.get(reverse("governance:overview", args=[cpts.pk]))
    assert response.context["threshold"].count == size + 1


def test_the_index_lists_the_cpts_each_person_may_see(client, owner, colleague, outsider, cpts, world):
    from accounts.tests.factories import OrganisationFactory

    OrganisationFactory(name="CPTS de la même région", region=cpts.region)
    client.force_login(owner)
    response = client.get(reverse("governance:index"))
    assert response.status_code == 302 and response["Location"] == reverse("governance:overview", args=[cpts.pk])
    client.force_login(colleague)
    page = text(client.get(reverse("governance:index")))
    assert cpts.name in page and "CPTS de la même région" in page and "CPTS de l'Ouest" not in page
    client.force_login(outsider)
    response = client.get(reverse("governance:index"))
    assert response["Location"] != reverse("governance:overview", args=[cpts.pk])
