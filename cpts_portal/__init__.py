"""CPTS Portal: the project package (settings, URLs, Celery app and shared pieces)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
