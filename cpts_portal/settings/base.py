"""Settings shared by every environment, read from the environment.

Every setting has a safe local default so that `make run` works on a fresh machine with SQLite and
Celery in eager mode; production (``production.py``) removes the defaults that must not leak there.
"""

import secrets
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _local_secret_key() -> str:
    """A per-checkout key kept out of git, so that no literal secret lives in the code."""
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY", default=None) or _local_secret_key()
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_fsm",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_ratelimit",
    "accounts",
    "projects",
    "diagnostics",
    "missions",
    "governance",
    "funding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cpts_portal.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # A database lost mid-request answers a clear 503 page (rendered without the database).
    "cpts_portal.middleware.DatabaseUnavailableMiddleware",
    # Axes must come last: it turns a lockout into the French lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cpts_portal.urls"
WSGI_APPLICATION = "cpts_portal.wsgi.application"
ASGI_APPLICATION = "cpts_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: opening one per request (CONN_MAX_AGE=0) costs a PostgreSQL backend start and the
# authentication on every page. Health checks make a connection the server dropped (restart, failover) reopen at the
# start of the next request instead of failing it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed-login lockout (django-axes): 5 failures lock the account/IP pair for 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", _("Français"))]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["cpts_portal.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "var" / "staticfiles"))
# Uploaded files live outside the web root and are served only through permission-checked views.
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Antivirus for stored uploads (cpts_portal/uploads.py): ClamAV's daemon by Unix socket or TCP; without one, files
# are stored "non analysé" and the admin says so.
CLAMD_SOCKET = env("CLAMD_SOCKET", default="")
CLAMD_HOST = env("CLAMD_HOST", default="")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: the console by default, SMTP (or any backend) when EMAIL_URL is set, e.g.
# smtp+tls://user:password@smtp.example.org:587
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Portail CPTS <ne-pas-repondre@portail-cpts.localhost>")

# Celery: without REDIS_URL tasks run eagerly in-process (embedded default); with it they go
# through Redis to a real worker.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE = {
    "purge-audit-log": {"task": "accounts.tasks.purge_audit_log", "schedule": 24 * 3600},
    # Deadlines are rows scanned here (never long countdowns): alerts before, notices once passed.
    "dossier-deadlines": {"task": "projects.tasks.deadlines_process", "schedule": 3600},
    "late-opinions-reminder": {"task": "projects.tasks.opinions_remind_late", "schedule": 3600},
    # The health project's 2-month clock: tacit validations once the date has passed, alerts to the ARS before it.
    "health-projects-scan": {"task": "projects.tasks.health_projects_scan", "schedule": 300},
    # The outbox: renders and e-mails still pending 10 minutes after their commit are sent again.
    "resend-pending-work": {"task": "projects.tasks.pending_work_resend", "schedule": 600},
    # Members who have not signed the health project get a new link 7 days after the last; lost links are resent.
    "signature-reminders": {"task": "governance.tasks.signature_rounds_remind", "schedule": 3600},
}

SESSION_COOKIE_HTTPONLY = True
# Sessions expire after this much inactivity. Activity renews them, but not by writing the session at every request
# (SESSION_SAVE_EVERY_REQUEST: one UPDATE, one commit and a Set-Cookie per page): cpts_portal.middleware.
# SessionRenewalMiddleware renews a session once it is SESSION_RENEW_AFTER_SECONDS old, so a session ends between
# SESSION_COOKIE_AGE - SESSION_RENEW_AFTER_SECONDS and SESSION_COOKIE_AGE after the last request.
SESSION_COOKIE_AGE = env.int("SESSION_INACTIVITY_SECONDS", default=2 * 3600)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_AFTER_SECONDS = env.int("SESSION_RENEW_AFTER_SECONDS", default=5 * 60)

# Two-factor authentication (TOTP, django-otp): required for reviewers, ARS and Assurance Maladie agents
# and administrators; optional for CPTS members.
# Off by default in a local DEBUG run so the demo logins work without an authenticator app.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "Portail CPTS"

# Cache: Redis when configured (shared by every process: rate limits hold across workers), memory otherwise.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Single-process local run: a per-process cache is enough (README, "Configuration").
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001", "django_ratelimit.E003"]
RATELIMIT_VIEW = "cpts_portal.views.rate_limited"
# Audit trail (django-simple-history) retention, then purged by a periodic task (CNIL recommendation).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
