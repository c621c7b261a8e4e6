"""WSGI entry point (gunicorn cpts_portal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpts_portal.settings.production")
application = get_wsgi_application()
