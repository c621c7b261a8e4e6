"""The dossier: intention letter, health project, ACI contract, their state machines and versions."""

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Dossiers"

    def ready(self):
        # The lifecycle definitions register with the engine (the mapping from dossier model to definition).
        from .workflows import definitions, logged  # noqa: F401

        # The status changes of fiches, plans and budgets (apps below projects) go to the dossiers' one log.
        logged.connect()
