import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Membership
from governance.choices import BodyKind, MandateRole
from governance.models import GovernanceDocument, Member
from governance.selectors import body_list, bureau_status, invitation_get_by_token
from governance.services import (
    document_upload,
    invitation_accept,
    mandate_create,
    mandate_end,
    member_invite,
    member_leave,
    partner_save,
    referent_create,
)
from governance.tests.factories import BodyFactory, MandateFactory, MemberFactory, PartnerFactory
from governance.tests.test_validators import minimal_pdf

pytestmark = pytest.mark.django_db
D = dt.date


def test_a_member_who_leaves_is_kept_with_history_and_ends_mandates(cpts, professions):
    bureau = BodyFactory(cpts=cpts, kind=BodyKind.BUREAU)
    mandate = MandateFactory(body=bureau, role=MandateRole.PRESIDENT)
    member = mandate.member
    member_leave(member=member, on=D(2025, 5, 1))
    member.refresh_from_db()
    mandate.refresh_from_db()
    assert member.left_on == D(2025, 5, 1) and mandate.ended_on == D(2025, 5, 1)
    assert Member.objects.filter(pk=member.pk).exists()
    assert member.history.count() == 2
    with pytest.raises(ValidationError, match="déjà quitté"):
        member_leave(member=member, on=D(2025, 6, 1))


def test_leaving_before_joining_is_refused(cpts, professions):
    member = MemberFactory(cpts=cpts, joined_on=D(2024, 1, 1))
    with pytest.raises(ValidationError, match="précéder"):
        member_leave(member=member, on=D(2023, 12, 31))


def test_bureau_is_incomplete_until_it_has_its_three_officers(cpts, professions):
    on = D(2025, 1, 1)
    assert not bureau_status(body_list(cpts, on)).exists
    bureau = BodyFactory(cpts=cpts, kind=BodyKind.BUREAU)
    status = bureau_status(body_list(cpts, on))
    assert status.exists and not status.complete and len(status.missing_roles) == 3
    president = mandate_create(
        body=bureau, member=MemberFactory(cpts=cpts), role=MandateRole.PRESIDENT, started_on=D(2024, 2, 1)
    )
    mandate_create(body=bureau, member=MemberFactory(cpts=cpts), role=MandateRole.TREASURER, started_on=D(2024, 2, 1))
    status = bureau_status(body_list(cpts, on))
    assert status.missing_roles == ("Secrétaire",)
    mandate_create(body=bureau, member=MemberFactory(cpts=cpts), role=MandateRole.SECRETARY, started_on=D(2024, 2, 1))
    assert bureau_status(body_list(cpts, on)).complete
    mandate_end(mandate=president, on=D(2024, 12, 31))
    assert bureau_status(body_list(cpts, on)).missing_roles == ("Président·e",)
    assert bureau_status(body_list(cpts, D(2024, 6, 1))).complete  # complete at an earlier date


def test_a_second_president_at_the_same_time_is_refused(cpts, professions):
    bureau = BodyFactory(cpts=cpts, kind=BodyKind.BUREAU)
    mandate_create(body=bureau, member=MemberFactory(cpts=cpts), role=MandateRole.PRESIDENT, started_on=D(2024, 2, 1))
    with pytest.raises(ValidationError, match="déjà occupé"):
        mandate_create(
            body=bureau, member=MemberFactory(cpts=cpts), role=MandateRole.PRESIDENT, started_on=D(2024, 3, 1)
        )


def test_mandates_and_referents_are_chosen_among_the_cpts_members(cpts, professions):
    bureau = BodyFactory(cpts=cpts, kind=BodyKind.BUREAU)
    stranger = MemberFactory()  # member of another CPTS
    with pytest.raises(ValidationError, match="n'appartient pas"):
        mandate_create(body=bureau, member=stranger, role=MandateRole.MEMBER, started_on=D(2024, 2, 1))
    with pytest.raises(ValidationError, match="n'appartient pas"):
        referent_create(cpts=cpts, kind="crisis", member=stranger, started_on=D(2024, 2, 1))
    gone = MemberFactory(cpts=cpts, left_on=D(2024, 6, 1))
    with pytest.raises(ValidationError, match="n'est pas membre"):
        referent_create(cpts=cpts, kind="crisis", member=gone, started_on=D(2024, 7, 1))
    with pytest.raises(ValidationError, match="mission"):
        referent_create(cpts=cpts, kind="mission_pilot", member=MemberFactory(cpts=cpts), started_on=D(2024, 7, 1))
    member = MemberFactory(cpts=cpts)
    assert not member.in_governance
    mandate_create(body=bureau, member=member, role=MandateRole.MEMBER, started_on=D(2024, 2, 1))
    member.refresh_from_db()
    assert member.in_governance


def test_invitation_creates_an_account_with_the_member_role_once(cpts, owner, professions, settings):
    settings.SITE_URL = "https://portail.exemple"
    member = MemberFactory(cpts=cpts, email="zoe@exemple.fr", first_name="Zoé", last_name="Lefèvre")
    with pytest.raises(ValidationError):  # nothing sent before commit in a failing call
        member_invite(member=MemberFactory(cpts=cpts, email=""), invited_by=owner)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        _invitation, token = member_invite(member=member, invited_by=owner)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zoe@exemple.fr"] and "Invitation au Portail CPTS" in message.subject
    link = re.search(r"https://portail\.exemple/gouvernance/invitation/(\S+)/", message.body)
    assert link and link.group(1) == token and "Bonjour Zoé Lefèvre" in message.body
    invitation = invitation_get_by_token(token)
    assert invitation.token_hash != token  # only the hash is stored
    user = invitation_accept(invitation=invitation, password="un-mot-de-passe-solide")
    assert user.email == "zoe@exemple.fr" and user.check_password("un-mot-de-passe-solide")
    assert Membership.objects.filter(user=user, organisation=cpts, role="member", is_active=True).exists()
    member.refresh_from_db()
    assert member.user == user
    with pytest.raises(ValidationError, match="déjà été utilisé"):
        invitation_accept(invitation=invitation, password="un-autre-mot-de-passe")
    # Leaving the CPTS revokes the portal role, the account stays.
    member_leave(member=member, on=D(2025, 1, 1))
    assert not Membership.objects.filter(user=user, organisation=cpts, role="member", is_active=True).exists()


def test_an_expired_invitation_cannot_be_used(cpts, owner, professions):
    member = MemberFactory(cpts=cpts, email="zoe@exemple.fr")
    with time_machine.travel(dt.datetime(2025, 1, 1, 10, 0, tzinfo=dt.UTC)):
        invitation, _token = member_invite(member=member, invited_by=owner)
    with time_machine.travel(dt.datetime(2025, 1, 16, 10, 0, tzinfo=dt.UTC)):
        with pytest.raises(ValidationError, match="expiré"):
            invitation_accept(invitation=invitation, password="un-mot-de-passe-solide")


def test_a_new_invitation_cancels_the_previous_one(cpts, owner, professions):
    member = MemberFactory(cpts=cpts, email="zoe@exemple.fr")
    first, _ = member_invite(member=member, invited_by=owner)
    member_invite(member=member, invited_by=owner)
    first.refresh_from_db()
    with pytest.raises(ValidationError, match="expiré"):
        invitation_accept(invitation=first, password="un-mot-de-passe-solide")


def test_document_upload_stores_a_real_pdf_with_its_fingerprint(cpts, owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = document_upload(
        cpts=cpts,
        kind="statutes",
        title="Statuts",
        uploaded_by=owner,
        uploaded=SimpleUploadedFile("statuts.pdf", minimal_pdf()),
    )
    assert document.size == len(minimal_pdf()) and len(document.sha256) == 64
    assert document.file.name.startswith(f"governance/{cpts.pk}/") and document.file.name.endswith(".pdf")
    assert (tmp_path / document.file.name).read_bytes().startswith(b"%PDF-")


def test_document_upload_refuses_a_renamed_file_and_an_oversized_pdf(cpts, owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as exc:
        document_upload(
            cpts=cpts,
            kind="statutes",
            title="Statuts",
            uploaded_by=owner,
            uploaded=SimpleUploadedFile("statuts.pdf", b"GIF89a fake image"),
        )
    assert "n'est pas un PDF" in str(exc.value)
    settings.GOVERNANCE_PDF_MAX_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        document_upload(
            cpts=cpts,
            kind="statutes",
            title="Statuts",
            uploaded_by=owner,
            uploaded=SimpleUploadedFile("statuts.pdf", minimal_pdf()),
        )
    assert "taille maximale" in str(exc.value)
    assert GovernanceDocument.objects.count() == 0
    assert not any(tmp_path.rglob("*.pdf"))


def test_a_signed_agreement_formalises_the_partnership(cpts, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    partner = PartnerFactory(cpts=cpts)
    with pytest.raises(ValidationError):
        partner_save(partner=partner, agreement=SimpleUploadedFile("c.pdf", b"not a pdf"))
    partner_save(partner=partner, agreement=SimpleUploadedFile("c.pdf", minimal_pdf()))
    partner.refresh_from_db()
    assert partner.is_formalised and partner.agreement.name.endswith(".pdf")
