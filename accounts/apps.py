"""Organisations, regions and their settings, people, roles, and who may see and do what."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et organisations"
