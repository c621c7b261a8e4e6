"""Mission catalogue, fiches action, their indicators and planning."""

from django.apps import AppConfig


class MissionsConfig(AppConfig):
    name = "missions"
    verbose_name = "Missions et fiches action"

    def ready(self):
        # The fiches' PDFs go through the shared render task, which finds how to build them here. Imported here, not
        # at the top: the module loads models, which Django allows only once the app registry is ready.
        from cpts_portal.rendering import register

        from .documents import RENDERER

        register(RENDERER)
