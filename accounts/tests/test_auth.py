import html
import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _login(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_login_with_email_and_password_lands_on_home(client, owner):
    response = _login(client, owner.email, "mot-de-passe-test")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:home")


def test_wrong_password_shows_a_french_message(client, owner):
    response = _login(client, owner.email, "faux")
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect" in html.unescape(response.content.decode())


def test_five_wrong_passwords_lock_the_account_with_a_french_message(client, owner):
    for _ in range(4):
        assert _login(client, owner.email, "faux").status_code == 200
    locked = _login(client, owner.email, "faux")
    assert locked.status_code == 429
    assert "Compte temporairement bloqué" in html.unescape(locked.content.decode())
    # Even the right password is refused while the lock holds.
    again = _login(client, owner.email, "mot-de-passe-test")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_french_email_with_a_working_link(client, owner):
    response = client.post(reverse("accounts:password_reset"), {"email": owner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "réinitialisation" in message.subject
    assert message.alternatives and "Choisir un nouveau mot de passe" in message.alternatives[0][0]
    link = re.search(r"http://testserver(\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choisir un nouveau mot de passe" in html.unescape(form_page.content.decode())
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Un-nouveau-mot-2026", "new_password2": "Un-nouveau-mot-2026"},
    )
    assert done.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("Un-nouveau-mot-2026")


def test_password_change_requires_the_old_password(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "faux", "new_password1": "Un-nouveau-mot-2026", "new_password2": "Un-nouveau-mot-2026"},
    )
    assert response.status_code == 200
    assert "ancien mot de passe" in html.unescape(response.content.decode())
