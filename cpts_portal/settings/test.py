"""Test settings: PostgreSQL and Redis on loopback by default, fast hashing, in-memory e-mail."""

import os

from .base import *  # noqa: F403
from .base import env

DEBUG = False
DATABASES = {
    "default": env.db("TEST_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/cpts_portal"),
}
# Several checkouts (or helpers) may run the suite at once: the test database name can be set.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DB_NAME", "test_cpts_portal")}
# Two-factor authentication is tested explicitly (accounts/tests/test_two_factor.py turns it on).
TWO_FACTOR_REQUIRED = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Unit tests run tasks eagerly; the integration suite points Celery at Redis and a real worker.
TEST_REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "test-media"))  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# The integration suite starts a real worker with this flag set: tasks then go through Redis.
if env.bool("CELERY_THROUGH_REDIS", default=False):
    CELERY_BROKER_URL = TEST_REDIS_URL
    CELERY_RESULT_BACKEND = TEST_REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    # The fault tests (tests/faults/) start a worker that takes back, within seconds, a message left
    # unacknowledged by a killed worker (Redis's default is one hour).
    if visibility := env.int("CELERY_VISIBILITY_TIMEOUT", default=0):
        CELERY_BROKER_TRANSPORT_OPTIONS = {
            "visibility_timeout": visibility,
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
        }
