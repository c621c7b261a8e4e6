"""Members, partners, bodies, statutes, signatures."""

from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Organisation et gouvernance"
