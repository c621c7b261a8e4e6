"""Everything an administrator reads is French (issue 12, point 10): admin pages, model and field names, history
models, third-party apps, permission names."""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

PROJECT_APPS = ["accounts", "projects", "diagnostics", "missions", "governance", "funding"]

# Typical English that reached administrators: default permission names, simple-history's and third-party apps'
# model names, django-otp's field labels and fieldsets.
ENGLISH = re.compile(
    r"\b(Can (add|change|delete|view)|[Hh]istorical|Devices?|TOTP device|AXES|Axes|Otp_Totp|Access (attempts?|"
    r"failures?|logs?)|Throttling|Timestamps|Identity|The time step|history (date|type|user|change reason)|"
    r"Select .* to (change|view)|relationship|Locked Out|Attempt Remaining|Not set|Expires At|Install segno|qrcode|"
    r"QR Code|Change history|Changed by|User Agent)\b"
)


class VisibleText(HTMLParser):
    """The text a person reads: element contents, plus the title and aria-label/placeholder attributes."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def admin_urls():
    """The index, every app index, and every registered model's changelist and add page."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse("admin:app_list", kwargs={"app_label": meta.app_label}))
        for view in ("changelist", "add"):
            try:
                urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}"))
            except NoReverseMatch:
                continue
    return list(dict.fromkeys(urls))


@pytest.mark.django_db
def test_the_admin_speaks_french_on_every_page(client, django_user_model):
    superuser = django_user_model.objects.create_superuser(email="admin@exemple.fr", password="x")
    client.force_login(superuser)
    urls = admin_urls()
    # The group and user forms list every permission by name ("Can add département" before); the history page
    # is simple-history's; a TOTP device and a locked-out attempt show django-otp's and django-axes' own words.
    from axes.models import AccessAttempt
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=superuser, name="Téléphone", confirmed=True)
    attempt = AccessAttempt.objects.create(
        username="x@exemple.fr", ip_address="127.0.0.1", user_agent="test", http_accept="*/*", path_info="/",
        get_data="", post_data="", failures_since_start=9,
    )  # fmt: skip
    user = f"admin:{superuser._meta.app_label}_{superuser._meta.model_name}"
    urls += [
        reverse("admin:auth_group_add"),
        reverse(f"{user}_change", args=[superuser.pk]),
        reverse(f"{user}_history", args=[superuser.pk]),
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
        reverse("admin:otp_totp_totpdevice_config", args=[device.pk]),
        reverse("admin:axes_accessattempt_change", args=[attempt.pk]),
    ]
    english = {}
    visited = 0
    for url in urls:
        response = client.get(url)
        if response.status_code in (302, 403):  # an add page the admin does not offer (read-only models)
            continue
        assert response.status_code == 200, url
        visited += 1
        found = sorted({m.group(0) for m in ENGLISH.finditer(visible_text(response.content.decode()))})
        if found:
            english[url] = found
    assert visited > 40
    assert not english, "De l'anglais dans l'administration :\n" + "\n".join(f"{u}: {w}" for u, w in english.items())


def test_every_model_of_the_project_has_french_names():
    """No model name derived from its class: ``verbose_name`` and its plural are given through gettext (a lazy
    string; Django's default is a plain one), history models included."""
    problems = []
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            meta = model._meta
            for attr in ("verbose_name", "verbose_name_plural"):
                value = getattr(meta, attr)
                if not isinstance(value, Promise):
                    problems.append(f"{meta.label}.{attr} = {value!r} (pas de gettext)")
            if "historical" in str(meta.verbose_name).lower() or str(meta.verbose_name) == model.__name__:
                problems.append(f"{meta.label}: {str(meta.verbose_name)!r} (nom anglais)")
    assert not problems, "\n".join(problems)


def test_every_field_of_the_project_has_a_french_label():
    """A field's label is given through gettext, never derived from its English name ("min lon", "territory")."""
    problems = []
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                if field.auto_created or not field.concrete:
                    continue
                if field.name == "id":
                    continue
                if not isinstance(field.verbose_name, Promise) and field.verbose_name == field.name.replace("_", " "):
                    problems.append(f"{model._meta.label}.{field.name} = {field.verbose_name!r}")
    assert not problems, "Champs sans libellé français :\n" + "\n".join(problems)


def test_third_party_apps_have_french_names():
    assert str(apps.get_app_config("axes").verbose_name).startswith("Tentatives de connexion")
    assert str(apps.get_app_config("otp_totp").verbose_name) == "Double authentification"
    totp = apps.get_model("otp_totp", "TOTPDevice")
    assert (str(totp._meta.verbose_name), str(totp._meta.verbose_name_plural)) == ("appareil TOTP", "appareils TOTP")
    assert str(apps.get_model("axes", "AccessAttempt")._meta.verbose_name_plural) == "tentatives de connexion"


@pytest.mark.django_db
def test_permission_names_are_french_after_migrate():
    """Django writes "Can add …" at migrate time; the post_migrate receiver renames them, every app included."""
    english = list(Permission.objects.filter(name__startswith="Can ").values_list("name", flat=True)[:10])
    assert not english
    commune = Permission.objects.get(codename="add_commune")
    assert commune.name == "Peut ajouter commune"
    assert Permission.objects.get(codename="view_totpdevice").name == "Peut consulter appareil TOTP"
    assert Permission.objects.get(codename="change_accessattempt").name == "Peut modifier tentative de connexion"
