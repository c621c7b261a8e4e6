"""Funding scales (data), pure calculations, budgets, payment schedules."""

from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "Financement ACI"

    def ready(self):
        # The territory pages (diagnostics, a lower layer) show the taille under this app's scale in force: hand
        # them the one reader of the scale's bands (why, in diagnostics.selectors above ``use_size_bands``). Imported
        # here, not at the top: selectors load models, which Django allows only once the app registry is ready.
        from cpts_portal.rendering import register
        from diagnostics.selectors import use_size_bands

        from .documents import RENDERER
        from .selectors import size_bands_in_force

        use_size_bands(size_bands_in_force)
        # The budget's PDF goes through the shared render task, which finds how to build it here.
        register(RENDERER)
