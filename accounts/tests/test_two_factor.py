import html
import re
from base64 import b32decode

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.django_db]


def text(response):
    return html.unescape(response.content.decode())


def _login(client, user):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": "mot-de-passe-test"})


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_a_reviewer_must_set_up_then_confirm_a_second_factor(client, colleague):
    _login(client, colleague)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_setup"))
    setup = client.get(response["Location"])
    page = text(setup)
    assert "Activer la double authentification" in page and "<svg" in page
    secret = re.search(r'class="otp-secret">([A-Z2-7=]+)<', page).group(1)

    refused = client.post(reverse("accounts:otp_setup"), {"token": "000000"})
    assert "Ce code n'est pas valide" in text(refused)

    # A failed code throttles the next attempts for a few seconds (django-otp).
    throttled = client.post(reverse("accounts:otp_setup"), {"token": "111111"})
    assert "Trop d'essais" in text(throttled)
    TOTPDevice.objects.filter(user=colleague).update(throttling_failure_timestamp=None, throttling_failure_count=0)
    token = f"{totp(b32decode(secret)):06d}"
    assert client.post(reverse("accounts:otp_setup"), {"token": token}).status_code == 302
    assert TOTPDevice.objects.get(user=colleague).confirmed
    assert client.get(reverse("accounts:home")).status_code == 200

    # Next login: the confirmed device is asked for.
    client.post(reverse("accounts:logout"))
    _login(client, colleague)
    response = client.get(reverse("accounts:home"))
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_a_cpts_coordinator_is_not_forced_to_use_two_factor(client, owner):
    _login(client, owner)
    assert client.get(reverse("accounts:home")).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_an_administrator_must_use_two_factor(client):
    from accounts.choices import OrganisationKind, Role
    from accounts.tests.factories import MembershipFactory, OrganisationFactory

    operator = OrganisationFactory(kind=OrganisationKind.OPERATOR, name="Opérateur")
    admin = MembershipFactory(organisation=operator, role=Role.ADMINISTRATOR).user
    _login(client, admin)
    assert client.get(reverse("accounts:organisation_list"))["Location"].startswith(reverse("accounts:otp_setup"))


def test_password_reset_requests_are_rate_limited(client, owner):
    cache.clear()
    statuses = [client.post(reverse("accounts:password_reset"), {"email": owner.email}).status_code for _ in range(5)]
    assert statuses[:3] == [302, 302, 302]
    assert statuses[3] == 429
    assert "Trop de tentatives" in text(client.post(reverse("accounts:password_reset"), {"email": "x@y.fr"}))
    cache.clear()


def test_sessions_expire_after_inactivity_and_are_renewed_by_activity(client, owner, settings):
    """Activity renews the session without a write per request (cpts_portal.middleware.SessionRenewalMiddleware)."""
    import datetime as dt

    import time_machine
    from django.contrib.sessions.models import Session

    assert settings.SESSION_COOKIE_AGE <= 2 * 3600 and not settings.SESSION_SAVE_EVERY_REQUEST
    age, renew = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE), settings.SESSION_RENEW_AFTER_SECONDS
    home = reverse("accounts:home")
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        client.force_login(owner)
        assert client.get(home).status_code == 200
        key = client.session.session_key
        expiry = Session.objects.get(pk=key).expire_date
        assert expiry == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC) + age
        clock.shift(renew // 2)  # a page soon after: no write, the expiry stays
        assert client.get(home).status_code == 200
        assert Session.objects.get(pk=key).expire_date == expiry
        clock.shift(renew)  # later activity renews it: the session ends an inactivity period after this request
        response = client.get(home)
        assert response.status_code == 200 and response.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE
        renewed = Session.objects.get(pk=key).expire_date
        assert renewed == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=renew // 2 + renew) + age
        clock.shift(age + dt.timedelta(seconds=1))  # then inactivity: it has expired, the login page asks again
        response = client.get(home)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
