"""French names for what Django and third-party apps show in English to an administrator.

Wired in ``accounts.apps.AccountsConfig.ready`` (accounts is the lowest app that owns people and their rights):

- ``relabel_third_party()``: the app and model names of django-axes and django-otp's TOTP plugin, and the TOTP
  device's fields (django-otp ships them untranslated: "TOTP device", "The time step in seconds."). Their
  ``_meta`` is set once at start-up: the only other ways are forking the apps or proxy models, which would
  leave the originals in the admin. Axes' model names are translated by its own French catalogue.
- ``french_totp_admin()``: django-otp's admin of TOTP devices, with French fieldset titles ("Identity",
  "Throttling"...) and QR code link, registered again in place of the original (the admin autodiscovery ran
  before); its QR code page is ``templates/otp_totp/admin/config.html``. django-axes' strings its own catalogue
  misses ("Locked Out", "Expires At"...) are in ``locale/fr/LC_MESSAGES/django.po``.
- ``french_permission_names()``, a ``post_migrate`` receiver: Django writes "Can add <model>" in English at
  migrate time (``django.contrib.auth.management.create_permissions`` does not translate), and never rewrites
  a name. A receiver rather than a data migration: it runs after every ``migrate``, so the permissions of a
  model added next month, of a third-party app, and of a renamed model are French too, and it is idempotent
  (it only writes names that differ).
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, router
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# app label -> French name shown on the admin index (axes: "Axes", otp_totp: "Otp_Totp" otherwise).
APP_NAMES = {
    "axes": _("Tentatives de connexion (django-axes)"),
    "otp_totp": _("Double authentification"),
}

# (app label, model name) -> (verbose_name, verbose_name_plural, {field: (verbose_name, help_text)})
MODEL_LABELS = {
    ("otp_totp", "totpdevice"): (
        _("appareil TOTP"),
        _("appareils TOTP"),
        {
            "user": (_("utilisateur"), _("La personne à qui appartient cet appareil.")),
            "name": (_("nom"), _("Le nom de l'appareil, tel que la personne le reconnaît.")),
            "confirmed": (_("confirmé"), _("L'appareil est prêt à servir.")),
            "created_at": (_("créé le"), _("Date de création de l'appareil.")),
            "last_used_at": (_("dernière utilisation"), _("Date de la dernière vérification réussie.")),
            "key": (_("clé secrète"), _("Clé secrète encodée en hexadécimal (40 octets au plus).")),
            "step": (_("pas de temps"), _("La durée d'un code, en secondes.")),
            "t0": (_("origine du temps"), _("L'heure Unix à partir de laquelle les pas sont comptés.")),
            "digits": (_("chiffres"), _("Le nombre de chiffres d'un code.")),
            "tolerance": (_("tolérance"), _("Le nombre de pas d'avance ou de retard acceptés.")),
            "drift": (_("dérive"), _("Le décalage connu, en pas, entre l'appareil et notre horloge.")),
            "last_t": (
                _("dernier pas vérifié"),
                _("Le pas du dernier code vérifié ; le code suivant doit venir après."),
            ),
            "throttling_failure_timestamp": (
                _("dernier échec"),
                _("Date du dernier échec de vérification (vide si la dernière a réussi)."),
            ),
            "throttling_failure_count": (_("échecs successifs"), _("Le nombre d'échecs de suite.")),
        },
    ),
}

# Django's default permissions (``Meta.default_permissions``) and their French verbs.
PERMISSION_VERBS = {
    "add": _("Peut ajouter %(name)s"),
    "change": _("Peut modifier %(name)s"),
    "delete": _("Peut supprimer %(name)s"),
    "view": _("Peut consulter %(name)s"),
}


def relabel_third_party() -> None:
    for label, name in APP_NAMES.items():
        try:
            global_apps.get_app_config(label).verbose_name = name
        except LookupError:  # the app is not installed in this configuration
            continue
    for (label, model_name), (singular, plural, fields) in MODEL_LABELS.items():
        try:
            model = global_apps.get_model(label, model_name)
        except LookupError:
            continue
        model._meta.verbose_name = singular
        model._meta.verbose_name_plural = plural
        # ``verbose_name`` only: migrations read a field's constructor arguments (``_verbose_name``,
        # ``help_text``), and a third-party app must not get a migration of ours. Help texts go on the form.
        for field_name, (verbose_name, _help_text) in fields.items():
            model._meta.get_field(field_name).verbose_name = verbose_name


def french_totp_admin() -> None:
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse
    from django.utils.html import format_html

    try:
        from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:
        return

    class FrenchTOTPDeviceAdmin(TOTPDeviceAdmin):
        FIELDSETS = {
            "Identity": _("Identité"),
            "Timestamps": _("Dates"),
            "Configuration": _("Réglages"),
            "State": _("État"),
            "Throttling": _("Limitation des essais"),
        }

        def formfield_for_dbfield(self, db_field, request, **kwargs):
            formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
            labels = MODEL_LABELS[("otp_totp", "totpdevice")][2]
            if formfield is not None and db_field.name in labels:
                formfield.help_text = labels[db_field.name][1]
            return formfield

        def get_fieldsets(self, request, obj=None):
            return [(self.FIELDSETS.get(name, name), options) for name, options in super().get_fieldsets(request, obj)]

        @admin.display(description=_("code QR"))
        def qrcode_link(self, device):
            try:
                href = reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
            except NoReverseMatch:
                return ""
            return format_html('<a href="{}">{}</a>', href, _("afficher"))

    if admin.site.is_registered(TOTPDevice):
        admin.site.unregister(TOTPDevice)
    admin.site.register(TOTPDevice, FrenchTOTPDeviceAdmin)


def french_permission_name(codename: str, model) -> str | None:
    """The French name, "Peut ajouter commune" for ``add_commune``; None for a permission a model declares itself."""
    action = codename.split("_", 1)[0]
    if action not in PERMISSION_VERBS or codename != f"{action}_{model._meta.model_name}":
        return None
    with translation.override("fr"):
        name = str(PERMISSION_VERBS[action]) % {"name": str(model._meta.verbose_name)}
    return name[:255]


def french_permission_names(sender=None, app_config=None, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs):
    """post_migrate: give the default permissions of ``app_config``'s models their French names.

    The names come from the models as the code defines them now (the global registry, with the labels set
    above), not from the migration state ``apps`` Django passes, whose third-party names are English.
    """
    if app_config is None or not app_config.models_module:
        return
    try:
        Permission = apps.get_model("auth", "Permission")
        ContentType = apps.get_model("contenttypes", "ContentType")
    except LookupError:
        return
    if not router.allow_migrate_model(using, Permission):
        return
    models = {m._meta.model_name: m for m in global_apps.get_app_config(app_config.label).get_models()}
    if not models:
        return
    types = dict(
        ContentType.objects.using(using)
        .filter(app_label=app_config.label, model__in=list(models))
        .values_list("pk", "model")
    )
    changed = []
    for permission in Permission.objects.using(using).filter(content_type_id__in=list(types)):
        name = french_permission_name(permission.codename, models[types[permission.content_type_id]])
        if name and permission.name != name:
            permission.name = name
            changed.append(permission)
    Permission.objects.using(using).bulk_update(changed, ["name"])
