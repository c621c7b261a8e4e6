"""Members' signatures of a version of the health project (issue 16, point 2): links, paper, reminders, pages."""

import datetime as dt
import hashlib
import html
import re
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory, OrganisationFactory
from governance.calculations import quorum_met, signatures_needed
from governance.forms import PaperSignatureForm, SignatureSignForm
from governance.models import Signature, SignatureRound
from governance.selectors import signature_round_current, signature_round_status
from governance.signatures import (
    REMINDERS_MAX,
    signature_link_send_once,
    signature_record_paper,
    signature_round_open,
    signature_round_remind,
    signature_rounds_remind_due,
    signature_sign,
)
from governance.tests.factories import MemberFactory
from governance.tests.test_validators import minimal_pdf

pytestmark = pytest.mark.django_db

OPENED = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
SHA_V1 = hashlib.sha256(b"version 1").hexdigest()
SHA_V2 = hashlib.sha256(b"version 2").hexdigest()
DOCUMENT = "<h2>Projet de santé</h2><p>Les actions de la CPTS.</p>"
LINK_RE = re.compile(r"/gouvernance/signature/([A-Za-z0-9_\-]+)/")


def text(response) -> str:
    return html.unescape(response.content.decode())


def tokens_in_outbox() -> dict[str, str]:
    """recipient -> token of the last link mailed to them."""
    found = {}
    for message in mail.outbox:
        match = LINK_RE.search(message.body)
        if match:
            found[message.to[0]] = match.group(1)
    return found


@pytest.fixture(autouse=True)
def frozen_day_after_opening():
    """Time stands still one day after the round opens, unless a test travels elsewhere."""
    with time_machine.travel(OPENED + dt.timedelta(days=1), tick=False):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def people(cpts, professions):
    """Two members with an e-mail, one without, one who left before the round."""
    return {
        "anne": MemberFactory(cpts=cpts, last_name="Durand", first_name="Anne", email="anne@exemple.fr"),
        "paul": MemberFactory(cpts=cpts, last_name="Petit", first_name="Paul", email="paul@exemple.fr"),
        "zoe": MemberFactory(cpts=cpts, last_name="Roux", first_name="Zoé", email=""),
        "gone": MemberFactory(cpts=cpts, last_name="Parti", email="parti@exemple.fr", left_on=dt.date(2024, 12, 31)),
    }


@pytest.fixture
def opened(cpts, people, owner, django_capture_on_commit_callbacks):
    """Round 1 on the CPTS itself (a generic target), links mailed on commit; returns (round, tokens)."""
    with time_machine.travel(OPENED, tick=False), django_capture_on_commit_callbacks(execute=True):
        signature_round = open_round(cpts, owner, SHA_V1)
    return signature_round, tokens_in_outbox()


def open_round(cpts, owner, sha256, target=None, **kwargs):
    return signature_round_open(
        target=target or cpts,
        cpts=cpts,
        sha256=sha256,
        title="Projet de santé – version à signer",
        document_html=DOCUMENT,
        by=owner,
        **kwargs,
    )


def sign(token, sha256=SHA_V1, ip="203.0.113.7"):
    return signature_sign(token=token, seen_sha256=sha256, ip_address=ip, user_agent="Firefox de test")


# Opening a round


def test_opening_creates_one_signature_per_present_member_and_mails_links_only_after_commit(
    cpts, people, owner, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://portail.exemple.fr"
    with time_machine.travel(OPENED, tick=False), django_capture_on_commit_callbacks(execute=False) as callbacks:
        signature_round = open_round(cpts, owner, SHA_V1)
        assert mail.outbox == []  # nothing leaves before the commit
    with time_machine.travel(OPENED, tick=False):
        for callback in callbacks:
            callback()
    assert signature_round.number == 1
    rows = {s.member.last_name: s for s in signature_round.signatures.select_related("member")}
    assert set(rows) == {"Durand", "Petit", "Roux"}  # the member who left is not asked
    assert rows["Roux"].method == "paper" and rows["Roux"].token_hash == ""
    assert {m.to[0] for m in mail.outbox} == {"anne@exemple.fr", "paul@exemple.fr"}
    message = next(m for m in mail.outbox if m.to == ["anne@exemple.fr"])
    assert "signature du projet de santé (version 1)" in message.subject
    assert "https://portail.exemple.fr/gouvernance/signature/" in message.body
    assert "Bonjour Anne Durand" in message.body
    token = LINK_RE.search(message.body).group(1)
    anne = rows["Durand"]
    anne.refresh_from_db()
    assert anne.token_hash == hashlib.sha256(token.encode()).hexdigest()  # only the hash is stored
    assert anne.sent_at == OPENED and anne.expires_at == OPENED + dt.timedelta(days=30)
    assert token not in str(Signature.objects.values_list())


def test_opening_the_same_version_again_changes_nothing(opened, cpts, owner):
    signature_round, _tokens = opened
    assert open_round(cpts, owner, SHA_V1) == signature_round
    assert SignatureRound.objects.count() == 1


def test_opening_needs_a_valid_sha256_and_members(cpts, owner, professions):
    with pytest.raises(ValidationError, match="SHA-256"):
        open_round(cpts, owner, "pas-une-empreinte")
    with pytest.raises(ValidationError, match="aucun membre"):
        open_round(cpts, owner, SHA_V1)


def test_a_link_send_is_done_once_even_when_the_task_runs_twice(opened):
    signature_round, _tokens = opened
    anne = signature_round.signatures.get(member__last_name="Durand")
    before = len(mail.outbox)
    assert signature_link_send_once(signature_id=anne.pk) is False
    assert len(mail.outbox) == before


# Signing by link


def test_a_link_signs_once_and_records_who_when_where_and_what(opened):
    _round, tokens = opened
    with time_machine.travel(OPENED + dt.timedelta(days=2), tick=False):
        signature = sign(tokens["anne@exemple.fr"])
    assert signature.signed_at == OPENED + dt.timedelta(days=2)
    assert signature.signed_on == dt.date(2025, 3, 5)
    assert (signature.ip_address, signature.user_agent, signature.signed_sha256) == (
        "203.0.113.7",
        "Firefox de test",
        SHA_V1,
    )
    with pytest.raises(ValidationError, match="Ce lien de signature a déjà été utilisé."):
        sign(tokens["anne@exemple.fr"])


def test_an_expired_link_is_refused(opened):
    _round, tokens = opened
    with (
        time_machine.travel(OPENED + dt.timedelta(days=30, seconds=1), tick=False),
        pytest.raises(ValidationError, match="a expiré"),
    ):
        sign(tokens["anne@exemple.fr"])
    with time_machine.travel(OPENED + dt.timedelta(days=29), tick=False):
        assert sign(tokens["anne@exemple.fr"]).signed_at


def test_a_link_to_a_superseded_version_is_refused_and_its_signatures_stay_with_it(opened, cpts, owner):
    round_1, tokens = opened
    with time_machine.travel(OPENED + dt.timedelta(days=1), tick=False):
        sign(tokens["paul@exemple.fr"])
        round_2 = open_round(cpts, owner, SHA_V2)
    assert round_2.number == 2
    round_1.refresh_from_db()
    assert round_1.superseded_at is not None
    assert signature_round_current(cpts) == round_2
    with pytest.raises(
        ValidationError, match="Cette version n'est plus celle à signer : un nouveau lien vous a été envoyé."
    ):
        sign(tokens["anne@exemple.fr"])
    # Paul's signature stays on version 1 and does not count for version 2.
    assert signature_round_status(round_1).signed_count == 1
    assert signature_round_status(round_2).signed_count == 0
    assert round_2.signatures.filter(signed_at__isnull=False).count() == 0


def test_a_signature_is_never_counted_for_a_version_its_signer_did_not_see(opened):
    signature_round, tokens = opened
    with pytest.raises(ValidationError, match="n'est pas celle à signer"):
        sign(tokens["anne@exemple.fr"], sha256=SHA_V2)
    assert signature_round_status(signature_round).signed_count == 0


def test_an_unknown_token_only_reads_invalid_link(opened):
    with pytest.raises(ValidationError, match="Ce lien de signature n'est pas valide."):
        sign("inconnu")


def test_a_signature_counts_only_for_its_round(opened, cpts, owner, professions):
    round_1, tokens = opened
    other_target = OrganisationFactory(name="Une autre cible")
    other = open_round(cpts, owner, SHA_V1, target=other_target)
    sign(tokens["anne@exemple.fr"])
    assert signature_round_status(round_1).signed_count == 1
    assert signature_round_status(other).signed_count == 0
    assert other.number == 1  # numbers run per target


# Paper signatures


def test_a_coordinator_records_a_paper_signature_with_its_pdf_scan(opened, owner, media):
    signature_round, _tokens = opened
    zoe = signature_round.signatures.get(member__last_name="Roux")
    with time_machine.travel(OPENED + dt.timedelta(days=3), tick=False):
        signature = signature_record_paper(
            signature=zoe, scan=SimpleUploadedFile("z.pdf", minimal_pdf()), signed_on=dt.date(2025, 3, 4), by=owner
        )
    assert signature.method == "paper" and signature.signed_sha256 == SHA_V1 and signature.recorded_by == owner
    assert signature.scan.name.endswith(".pdf") and signature.scan_status == "not_scanned"
    assert signature_round_status(signature_round).signed_count == 1
    with pytest.raises(ValidationError, match="a déjà signé"):
        signature_record_paper(
            signature=zoe, scan=SimpleUploadedFile("z.pdf", minimal_pdf()), signed_on=dt.date(2025, 3, 4), by=owner
        )


def test_a_paper_signature_needs_a_real_pdf_and_a_plausible_date(opened, owner, media):
    signature_round, _tokens = opened
    zoe = signature_round.signatures.get(member__last_name="Roux")
    with time_machine.travel(OPENED + dt.timedelta(days=3), tick=False):
        with pytest.raises(ValidationError) as refused:
            signature_record_paper(
                signature=zoe,
                scan=SimpleUploadedFile("z.pdf", b"GIF89a pas un pdf"),
                signed_on=dt.date(2025, 3, 4),
                by=owner,
            )
        assert "n'est pas un PDF" in " ".join(refused.value.message_dict["scan"])
        with pytest.raises(ValidationError) as refused:
            signature_record_paper(
                signature=zoe, scan=SimpleUploadedFile("z.pdf", minimal_pdf()), signed_on=dt.date(2025, 3, 9), by=owner
            )
        assert "futur" in " ".join(refused.value.message_dict["signed_on"])
        with pytest.raises(ValidationError) as refused:
            signature_record_paper(
                signature=zoe, scan=SimpleUploadedFile("z.pdf", minimal_pdf()), signed_on=dt.date(2025, 3, 1), by=owner
            )
        assert "autre" in " ".join(refused.value.message_dict["signed_on"])
    zoe.refresh_from_db()
    assert zoe.signed_at is None and not zoe.scan


# Reminders


def test_a_reminder_issues_a_new_link_and_the_old_one_is_refused(opened, owner, django_capture_on_commit_callbacks):
    signature_round, tokens = opened
    sign(tokens["paul@exemple.fr"])
    mail.outbox.clear()
    with (
        time_machine.travel(OPENED + dt.timedelta(days=4), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert signature_round_remind(round=signature_round, by=owner) == 1  # Anne only: Paul signed, Zoé on paper
    assert [m.to for m in mail.outbox] == [["anne@exemple.fr"]]
    assert "Rappel" in mail.outbox[0].body
    new_token = tokens_in_outbox()["anne@exemple.fr"]
    assert new_token != tokens["anne@exemple.fr"]
    anne = signature_round.signatures.get(member__last_name="Durand")
    assert anne.reminded_at == OPENED + dt.timedelta(days=4) and anne.reminders == 1
    assert anne.expires_at == OPENED + dt.timedelta(days=34)
    with pytest.raises(ValidationError, match="n'est pas valide"):
        sign(tokens["anne@exemple.fr"])
    with time_machine.travel(OPENED + dt.timedelta(days=5), tick=False):
        assert sign(new_token).signed_at


def test_reminding_with_nobody_left_to_remind_by_email_is_refused(opened, owner):
    signature_round, tokens = opened
    sign(tokens["anne@exemple.fr"])
    sign(tokens["paul@exemple.fr"])
    with pytest.raises(ValidationError, match="Aucun membre à relancer"):
        signature_round_remind(round=signature_round, by=owner)


def test_the_beat_reminds_every_seven_days_at_most_three_times_and_a_rerun_sends_nothing(
    opened, django_capture_on_commit_callbacks
):
    signature_round, tokens = opened
    sign(tokens["paul@exemple.fr"])
    mail.outbox.clear()
    with (
        time_machine.travel(OPENED + dt.timedelta(days=6), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert signature_rounds_remind_due()["reminded_rounds"] == 0
    assert mail.outbox == []
    sent = 0
    for week in range(1, REMINDERS_MAX + 2):
        with (
            time_machine.travel(OPENED + dt.timedelta(days=7 * week), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            signature_rounds_remind_due()
            signature_rounds_remind_due()  # a rerun at the same moment finds nothing due
        sent_now = len(mail.outbox) - sent
        assert sent_now == (1 if week <= REMINDERS_MAX else 0)
        sent = len(mail.outbox)
    assert {m.to[0] for m in mail.outbox} == {"anne@exemple.fr"}


def test_the_beat_sends_again_a_link_whose_task_was_lost(cpts, people, owner, django_capture_on_commit_callbacks):
    with time_machine.travel(OPENED, tick=False), django_capture_on_commit_callbacks(execute=False):
        open_round(cpts, owner, SHA_V1)  # the task is never run (broker down)
    assert mail.outbox == []
    with (
        time_machine.travel(OPENED + dt.timedelta(minutes=11), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        signature_rounds_remind_due()
    assert len(mail.outbox) == 2


# Who signed


def test_status_counts_members_who_left_before_signing_apart(opened, people):
    signature_round, tokens = opened
    sign(tokens["anne@exemple.fr"])
    paul = people["paul"]
    paul.left_on = dt.date(2025, 3, 10)
    paul.save()
    status = signature_round_status(signature_round, on=dt.date(2025, 3, 11))
    assert [s.member.last_name for s in status.signed] == ["Durand"]
    assert [s.member.last_name for s in status.missing] == ["Roux"]
    assert [s.member.last_name for s in status.left] == ["Petit"]
    assert (status.signed_count, status.total) == (1, 2)


@pytest.mark.parametrize(
    ("signed", "total", "rule", "percent", "met"),
    [
        (3, 3, "all", None, True),
        (2, 3, "all", None, False),
        (0, 0, "all", None, False),  # nobody to sign: never enough
        (4, 7, "quorum", 50, True),  # 50 % of 7 is 3.5: four signatures
        (3, 7, "quorum", 50, False),
        (2, 3, "quorum", Decimal("66.66"), True),
        (2, 3, "quorum", Decimal("66.67"), False),  # 66.67 % of 3 is 2.0001: three signatures
        (1, 3, "quorum", Decimal("66.66"), False),
        (1, 1, "quorum", 1, True),
        (0, 5, "quorum", 1, False),  # at least one signature
        (10, 10, "quorum", 100, True),
    ],
)
def test_quorum_met(signed, total, rule, percent, met):
    assert quorum_met(signed, total, rule=rule, percent=percent) is met


@pytest.mark.parametrize(("rule", "percent"), [("quorum", None), ("quorum", 0), ("quorum", 101), ("majorité", 50)])
def test_signatures_needed_refuses_a_rule_it_does_not_know(rule, percent):
    with pytest.raises(ValueError):
        signatures_needed(5, rule=rule, percent=percent)


# Pages


@pytest.fixture
def cpts_member(cpts):
    return MembershipFactory(organisation=cpts, role=Role.MEMBER).user


def sign_url(token):
    return reverse("governance:signature_sign", args=[token])


def test_the_signing_page_shows_the_version_and_signs_on_confirmation(client, opened):
    signature_round, tokens = opened
    token = tokens["anne@exemple.fr"]
    page = client.get(sign_url(token))
    assert page.status_code == 200
    body = text(page)
    for expected in ("Projet de santé – version à signer", "CPTS du Lauragais", "Anne Durand", SHA_V1):
        assert expected in body
    assert "<h2>Projet de santé</h2>" in page.content.decode()  # the portal's own HTML, shown as is
    assert "J'ai lu cette version et je la signe" in body
    assert "Paul" not in body and "anne@exemple.fr" not in body  # nothing about the other members, no e-mail
    unconfirmed = client.post(sign_url(token), {"seen_sha256": SHA_V1})
    assert unconfirmed.status_code == 200 and "Cochez la case" in text(unconfirmed)
    wrong = client.post(sign_url(token), {"seen_sha256": SHA_V2, "confirm": "on"})
    assert "n'est pas celle à signer" in text(wrong)
    signed = client.post(sign_url(token), {"seen_sha256": SHA_V1, "confirm": "on"}, REMOTE_ADDR="198.51.100.4")
    assert signed.status_code == 200 and "Votre signature est enregistrée" in text(signed)
    anne = signature_round.signatures.get(member__last_name="Durand")
    assert anne.signed_at and anne.ip_address == "198.51.100.4"
    again = client.post(sign_url(token), {"seen_sha256": SHA_V1, "confirm": "on"})
    assert again.status_code == 410 and "Ce lien de signature a déjà été utilisé." in text(again)
    assert signature_round.signatures.filter(signed_at__isnull=False).count() == 1


def test_the_signing_page_never_answers_500_to_a_bad_link(client, opened):
    unknown = client.get(sign_url("nimporte-quoi"))
    assert unknown.status_code == 404 and "Ce lien de signature n'est pas valide." in text(unknown)
    assert client.post(sign_url("nimporte-quoi"), {}).status_code == 404
    _round, tokens = opened
    with time_machine.travel(OPENED + dt.timedelta(days=31)):
        expired = client.get(sign_url(tokens["anne@exemple.fr"]))
    assert expired.status_code == 410 and "a expiré" in text(expired)
    assert "Projet de santé</h2>" not in expired.content.decode()
    assert client.put(sign_url(tokens["anne@exemple.fr"])).status_code == 405


def detail_url(signature_round):
    return reverse("governance:signature_round_detail", args=[signature_round.cpts_id, signature_round.pk])


def test_the_round_page_shows_who_signed_and_who_has_not(client, opened, owner, cpts_member):
    signature_round, tokens = opened
    sign(tokens["anne@exemple.fr"])
    client.force_login(owner)
    page = client.get(detail_url(signature_round))
    assert page.status_code == 200
    body = text(page)
    assert "1</strong> sur 3 membres" in body
    assert "Anne Durand" in body and "203.0.113.7" in body  # the coordinators see the address
    assert "Pas d'adresse e-mail : signature papier uniquement" in body  # Zoé
    assert "Relancer" in body and "Enregistrer la signature papier de Zoé Roux" in body
    assert "anne@exemple.fr" not in body
    client.force_login(cpts_member)
    body = text(client.get(detail_url(signature_round)))
    assert "Anne Durand" in body and "203.0.113.7" not in body  # a member: names and dates, no address
    assert "Relancer" not in body and "Enregistrer la signature papier" not in body
    listing = client.get(reverse("governance:signature_round_list", args=[signature_round.cpts_id]))
    assert listing.status_code == 200 and "1 / 3" in text(listing)


def test_the_round_pages_are_the_cpts_own(client, opened, colleague, outsider):
    signature_round, _tokens = opened
    url = detail_url(signature_round)
    assert client.get(url).status_code == 302  # to the login page
    for person in (colleague, outsider):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.get(reverse("governance:signature_round_list", args=[signature_round.cpts_id])).status_code == 403
    other = OrganisationFactory(name="CPTS voisine")
    client.force_login(MembershipFactory(organisation=other, role=Role.COORDINATOR).user)
    assert (
        client.get(reverse("governance:signature_round_detail", args=[other.pk, signature_round.pk])).status_code == 404
    )


def test_remind_is_a_coordinators_post(client, opened, owner, cpts_member, django_capture_on_commit_callbacks):
    signature_round, _tokens = opened
    url = reverse("governance:signature_round_remind", args=[signature_round.cpts_id, signature_round.pk])
    client.force_login(cpts_member)
    assert client.post(url).status_code == 403
    client.force_login(owner)
    assert client.get(url).status_code == 405
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response["Location"] == detail_url(signature_round)
    assert {m.to[0] for m in mail.outbox} == {"anne@exemple.fr", "paul@exemple.fr"}


def test_paper_signature_pages(client, opened, owner, cpts_member, media):
    signature_round, _tokens = opened
    zoe = signature_round.signatures.get(member__last_name="Roux")
    url = reverse("governance:signature_paper", args=[signature_round.cpts_id, zoe.pk])
    client.force_login(cpts_member)
    assert client.post(url, {}).status_code == 403
    with time_machine.travel(OPENED + dt.timedelta(days=2)):
        client.force_login(owner)
        refused = client.post(url, {"scan": SimpleUploadedFile("z.pdf", b"pas un pdf"), "signed_on": "2025-03-04"})
        assert refused.status_code == 200 and "n'est pas un PDF" in text(refused)
        recorded = client.post(url, {"scan": SimpleUploadedFile("z.pdf", minimal_pdf()), "signed_on": "2025-03-04"})
    assert recorded.status_code == 302
    zoe.refresh_from_db()
    assert zoe.signed_on == dt.date(2025, 3, 4) and zoe.method == "paper"
    scan_url = reverse("governance:signature_scan", args=[signature_round.cpts_id, zoe.pk])
    client.force_login(owner)
    scan = client.get(scan_url)
    assert scan.status_code == 200 and scan["Content-Type"] == "application/pdf"
    client.force_login(cpts_member)
    assert client.get(scan_url).status_code == 403


def test_the_round_page_costs_the_same_queries_with_3_or_12_members(
    client, opened, owner, cpts, django_capture_on_commit_callbacks
):
    signature_round, _tokens = opened
    client.force_login(owner)
    client.get(detail_url(signature_round))  # warm the per-request caches alike
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(detail_url(signature_round))
    for _ in range(9):
        MemberFactory(cpts=cpts)
    with django_capture_on_commit_callbacks(execute=True):
        larger = open_round(cpts, owner, SHA_V2)
    with CaptureQueriesContext(connection) as large:
        assert client.get(detail_url(larger)).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# Forms posted anyhow


ANY_TEXT = st.text(max_size=80)


@hypothesis_settings(max_examples=150, deadline=None)
@given(seen=ANY_TEXT, confirm=st.sampled_from(["", "on", "x", "0", "false"]))
def test_the_signing_form_needs_the_box_ticked_and_a_fingerprint(seen, confirm):
    form = SignatureSignForm({"seen_sha256": seen, "confirm": confirm})
    ticked = confirm not in ("", "false")  # Django reads any other value of a checkbox as ticked
    assert form.is_valid() is (ticked and bool(seen.strip()) and len(seen.strip()) <= 64 and "\x00" not in seen)


@hypothesis_settings(max_examples=100, deadline=None)
@given(signed_on=ANY_TEXT)
def test_the_paper_form_reads_a_date_or_says_it_is_invalid(signed_on):
    form = PaperSignatureForm({"signed_on": signed_on}, {"scan": SimpleUploadedFile("s.pdf", b"%PDF-1.4")})
    if not form.is_valid():
        assert set(form.errors) <= {"signed_on"}
        assert form.errors["signed_on"][0] in ("Date invalide.", "Indiquez la date de la signature.")


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=True
)
@given(seen=ANY_TEXT)
def test_a_signature_is_recorded_only_for_the_exact_fingerprint_shown(opened, seen):
    signature_round, tokens = opened
    with pytest.raises(ValidationError):
        sign(tokens["anne@exemple.fr"], sha256=seen if seen != SHA_V1 else seen + "x")
    assert not signature_round.signatures.filter(signed_at__isnull=False).exists()


def test_a_members_signatures_are_in_their_personal_data_and_erasure_keeps_them_without_address(opened, owner):
    from governance.rgpd import member_erase, member_personal_data

    signature_round, tokens = opened
    signature = sign(tokens["anne@exemple.fr"])
    data = member_personal_data(member=signature.member)
    assert data["signatures"][0]["adresse_ip"] == "203.0.113.7"
    assert data["signatures"][0]["empreinte_sha256"] == SHA_V1
    member_erase(member=signature.member, by=owner)
    signature.refresh_from_db()
    assert signature.signed_at and signature.ip_address is None and signature.user_agent == ""
    assert signature_round_status(signature_round).signed_count == 1
