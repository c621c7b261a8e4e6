import html

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_anonymous_is_sent_to_the_french_login_page(client):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    page = text(client.get(reverse("accounts:login")))
    assert '<html lang="fr">' in page
    assert "Adresse e-mail" in page and "Mot de passe" in page


def test_coordinator_home_lists_their_cpts(client, owner, cpts):
    client.force_login(owner)
    page = text(client.get(reverse("accounts:home")))
    assert "Mes projets de CPTS" in page
    assert cpts.name in page
    assert "Dossiers en attente de votre avis" not in page


def test_reviewer_home_shows_what_awaits_their_opinion(client, colleague):
    client.force_login(colleague)
    page = text(client.get(reverse("accounts:home")))
    assert "Dossiers en attente de votre avis" in page
    assert "Mes projets de CPTS" not in page


def test_owner_sees_their_organisation_with_contacts(client, owner, cpts):
    client.force_login(owner)
    page = text(client.get(reverse("accounts:organisation_detail", args=[cpts.pk])))
    assert cpts.name in page
    assert owner.email in page


def test_colleague_of_another_organisation_is_refused(client, colleague, cpts, owner):
    client.force_login(colleague)
    response = client.get(reverse("accounts:organisation_detail", args=[cpts.pk]))
    assert response.status_code == 403
    assert owner.email not in text(response)
    assert "Vous n'êtes pas membre de cette organisation." in text(response)


def test_outsider_sees_no_organisation_data(client, outsider, cpts, owner):
    client.force_login(outsider)
    assert client.get(reverse("accounts:organisation_detail", args=[cpts.pk])).status_code == 403
    listing = text(client.get(reverse("accounts:organisation_list")))
    assert cpts.name not in listing
    home = text(client.get(reverse("accounts:home")))
    assert cpts.name not in home and owner.email not in home


def test_person_without_membership_sees_no_organisation(client, cpts, owner):
    from accounts.tests.factories import UserFactory

    loner = UserFactory()
    client.force_login(loner)
    listing = text(client.get(reverse("accounts:organisation_list")))
    assert cpts.name not in listing
    assert "Vous n'êtes membre d'aucune organisation." in listing
    home = text(client.get(reverse("accounts:home")))
    assert "n'est rattaché à aucune organisation" in home
    assert client.get(reverse("accounts:organisation_detail", args=[cpts.pk])).status_code == 403


def test_unknown_organisation_gives_the_french_404(client, owner):
    client.force_login(owner)
    response = client.get(reverse("accounts:organisation_detail", args=[999999]))
    assert response.status_code == 404
    assert "Page introuvable" in text(response)


@pytest.mark.parametrize("name", ["accounts:home", "accounts:organisation_list"])
def test_read_only_pages_refuse_wrong_methods(client, owner, name):
    client.force_login(owner)
    assert client.delete(reverse(name)).status_code == 405
    assert client.put(reverse(name)).status_code == 405


def test_logout_is_post_only(client, owner):
    client.force_login(owner)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_pages_send_a_content_security_policy_without_unsafe_inline(client, owner):
    client.force_login(owner)
    response = client.get(reverse("accounts:home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    page = text(response)
    assert "<script>" not in page and "style=" not in page
    assert 'class="skip-link' in page


def test_identifiers_in_links_are_never_localised(client, owner, cpts):
    """French number formatting must not turn pk 123456 into "123 456" inside a URL."""
    from accounts.models import Organisation
    from accounts.services import membership_grant

    big = Organisation.objects.create(pk=123456, name="CPTS au grand numéro", kind="cpts", region=cpts.region)
    membership_grant(user=owner, organisation=big, role="coordinator")
    client.force_login(owner)
    page = text(client.get(reverse("accounts:organisation_detail", args=[big.pk])))
    assert "?cpts=123456" in page and "123\u202f456" not in page
