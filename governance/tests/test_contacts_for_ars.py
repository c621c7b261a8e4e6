"""Issue 15, point 4: a member's professional postal address and their consent to their contact being sent to the ARS
in the fiches action (form, import and export, RGPD, the rule ``ars_contact``)."""

import datetime as dt
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance.imports import MemberImportError, export_columns, export_rows, members_import
from governance.models import Member, Profession
from governance.rgpd import NO_CONSENT_NOTE, ars_contact, member_erase, member_personal_data
from governance.tests.factories import MemberFactory, rpps_for

pytestmark = pytest.mark.django_db

ADDRESS = "12 rue de la République, 11400 Castelnaudary"


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_coordinator_records_the_address_and_the_consent_in_the_member_form(client, owner, cpts, professions):
    client.force_login(owner)
    url = reverse("governance:member_create", args=[cpts.pk, "professionnel"])
    page = text(client.get(url))
    assert "Adresse professionnelle" in page and "Consentement à la transmission de ses coordonnées à l'ARS" in page
    data = {
        "last_name": "Martin",
        "first_name": "Paul",
        "profession": Profession.objects.get(code="infirmier").pk,
        "email": "paul.martin@exemple.fr",
        "phone": "05 61 00 00 02",
        "postal_address": ADDRESS,
        "contact_consent_on": "2026-01-05",
        "joined_on": "2025-01-10",
        "membership_kind": "active",
        "joined_via": "direct",
        "involvement": "adherent",
    }
    assert client.post(url, data).status_code == 302
    member = Member.objects.get(cpts=cpts, last_name="Martin")
    assert member.postal_address == ADDRESS and member.contact_consent_on == dt.date(2026, 1, 5)
    assert ars_contact(member) == {
        "transmitted": True,
        "address": ADDRESS,
        "phone": "05 61 00 00 02",
        "email": "paul.martin@exemple.fr",
        "consent_on": "2026-01-05",
    }
    listing = text(client.get(reverse("governance:member_list", args=[cpts.pk])))
    assert ADDRESS in listing and "oui (consentement du 05/01/2026)" in listing
    # Withdrawn: the date is emptied, the contact no longer leaves the CPTS.
    data["contact_consent_on"] = ""
    client.post(reverse("governance:member_update", args=[cpts.pk, member.pk]), data)
    member.refresh_from_db()
    assert member.contact_consent_on is None
    assert ars_contact(member) == {"transmitted": False, "note": NO_CONSENT_NOTE}


def test_a_member_of_the_cpts_sees_no_address_in_the_list(client, cpts, professions):
    from accounts.choices import Role
    from accounts.tests.factories import MembershipFactory

    MemberFactory(cpts=cpts, postal_address=ADDRESS)
    client.force_login(MembershipFactory(organisation=cpts, role=Role.MEMBER).user)
    assert ADDRESS not in text(client.get(reverse("governance:member_list", args=[cpts.pk])))


def test_the_import_reads_the_address_and_the_consent_and_the_export_writes_them_back(
    cpts, owner, professions, communes
):
    header = "Nom;Prénom;Profession;RPPS;Date d'adhésion;Adresse;Consentement ARS"
    address = "12  rue de la République,  11400 Castelnaudary"  # spaces are tidied
    line = f"Durand;Anne;Médecin généraliste;{rpps_for(1)};15/01/2024;{address};05/01/2026"
    content = "\n".join([header, line, f"Martin;Paul;infirmier;{rpps_for(2)};2024-02-01;;"]).encode()
    members_import(cpts=cpts, uploaded=SimpleUploadedFile("m.csv", content), imported_by=owner)
    anne = Member.objects.get(cpts=cpts, rpps=rpps_for(1))
    assert anne.postal_address == ADDRESS and anne.contact_consent_on == dt.date(2026, 1, 5)
    assert Member.objects.get(cpts=cpts, rpps=rpps_for(2)).contact_consent_on is None
    columns = export_columns(with_contacts=True)
    assert "Adresse professionnelle" in columns and "Consentement transmission ARS (date)" in columns
    rows = list(export_rows(Member.objects.filter(pk=anne.pk), with_contacts=True))
    row = dict(zip(columns, rows[0], strict=True))
    assert row["Adresse professionnelle"] == ADDRESS and row["Consentement transmission ARS (date)"] == "05/01/2026"
    assert "Adresse professionnelle" not in export_columns(with_contacts=False)
    bad = "\n".join([header, f"Durand;Anne;Médecin généraliste;{rpps_for(1)};15/01/2024;;le 5 janvier"]).encode()
    with pytest.raises(MemberImportError) as error:
        members_import(cpts=cpts, uploaded=SimpleUploadedFile("m.csv", bad), imported_by=owner)
    assert "date illisible" in " ".join(error.value.errors)


def test_erasure_removes_the_address_and_the_consent(owner, cpts, professions):
    member = MemberFactory(cpts=cpts, postal_address=ADDRESS, contact_consent_on=dt.date(2026, 1, 5))
    data = member_personal_data(member=member)["membre"]
    assert data["adresse_professionnelle"] == ADDRESS and data["consentement_transmission_ars"] == "2026-01-05"
    member_erase(member=member, by=owner)
    member.refresh_from_db()
    assert member.postal_address == "" and member.contact_consent_on is None
    assert not member.history.filter(postal_address=ADDRESS).exists()
