"""The dossier: intention letter, health project, ACI contract, their state machines and versions."""

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Dossiers"
