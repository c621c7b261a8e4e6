"""Communes (reference data), territories, indicator datasets and imports, charts."""

from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"
    verbose_name = "Territoires et diagnostics"
