"""The Celery application; tasks are discovered in every app's ``tasks.py``, and in this package's (the one task
that renders every requested PDF, ``cpts_portal.tasks``: the project package is not an installed app)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpts_portal.settings.base")

app = Celery("cpts_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["cpts_portal"])
