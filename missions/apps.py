"""Mission catalogue, fiches action, their indicators and planning."""

from django.apps import AppConfig


class MissionsConfig(AppConfig):
    name = "missions"
    verbose_name = "Missions et fiches action"
