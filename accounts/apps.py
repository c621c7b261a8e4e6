"""Organisations, regions and their settings, people, roles, and who may see and do what."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et organisations"

    def ready(self):
        # French names for what Django and third-party apps show in English (see the module's docstring).
        from cpts_portal import french_labels

        french_labels.relabel_third_party()
        french_labels.french_totp_admin()
        post_migrate.connect(french_labels.french_permission_names, dispatch_uid="cpts_french_permission_names")
