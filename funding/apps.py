"""Funding scales (data), pure calculations, budgets, payment schedules."""

from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "Financement ACI"
