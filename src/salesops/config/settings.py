"""Settings, all from environment variables with safe embedded defaults.

SALESOPS_DATA_DIR   where the embedded database, job queue, uploads and secret key live (./var)
DATABASE_URL        PostgreSQL (postgres://...) instead of the embedded SQLite file
REDIS_URL           Redis for the job queue instead of the embedded SQLite queue
SECRET_KEY          else generated once and kept in the data dir
SALESOPS_DEBUG      "1" turns DEBUG on (never in production)
ALLOWED_HOSTS       comma-separated; defaults to localhost only
EMAIL_URL           smtp://user:pass@host:port (later issues send mail)
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SALESOPS_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)
UPLOAD_DIR = DATA_DIR / "uploads"


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Private from its first byte (0600, never briefly world-readable) and published
        # atomically (link fails if another process got there first: theirs is kept).
        tmp = DATA_DIR / f".secret_key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("SALESOPS_DEBUG") == "1"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
]
DEMO_MODE = os.environ.get("SALESOPS_DEMO") == "1"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "huey.contrib.djhuey",
    "salesops.core",
    "salesops.masterdata",
    "salesops.receivables",
    "salesops.portal",
    "salesops.reports",
    "salesops.cashapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "salesops.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "salesops.config.urls"
WSGI_APPLICATION = "salesops.config.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "home"
CSRF_FAILURE_VIEW = "salesops.core.views.csrf_failure"
LOGOUT_REDIRECT_URL = "core:login"

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
                "django.template.context_processors.i18n",
                "salesops.core.context_processors.navigation",
            ],
        },
    },
]

_sqlite_path = DATA_DIR / "salesops.sqlite3"
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _sqlite_path,
            "OPTIONS": {
                # WAL lets the worker write while pages read; IMMEDIATE avoids
                # "database is locked" on upgrade from read to write inside a transaction.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": os.environ.get("SALESOPS_QUEUE_NAME", "salesops"),
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "salesops",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
# Number formats per language (zh_Hans: amounts grouped by thousands, 10,000,000.00).
FORMAT_MODULE_PATH = ["salesops.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security: the same defaults everywhere; HTTPS-only flags when served behind TLS.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if os.environ.get("SALESOPS_HTTPS") == "1":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Login throttling: after this many failures for one username or one address within the
# window, further attempts are refused until the window passes.
LOGIN_FAILURE_LIMIT = int(os.environ.get("SALESOPS_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("SALESOPS_LOGIN_FAILURE_WINDOW", "900"))

# Fiscal calendar: "calendar" months, or "445" / "454" / "544" quarters of 4-4-5 weeks.
FISCAL_CALENDAR = os.environ.get("SALESOPS_FISCAL_CALENDAR", "calendar")
FISCAL_YEAR_START_MONTH = int(os.environ.get("SALESOPS_FISCAL_YEAR_START_MONTH", "1"))
REPORTING_CURRENCY = os.environ.get("SALESOPS_REPORTING_CURRENCY", "CNY")

# Receivables: credit notes above this amount (reporting currency) wait for finance's approval;
# write-offs of small differences are allowed up to the tolerance (reporting currency);
# receipts must be booked within BOOKING_LIMIT_HOURS, with a warning BOOKING_WARN_HOURS before.
CREDIT_NOTE_APPROVAL_ABOVE = os.environ.get("SALESOPS_CREDIT_NOTE_APPROVAL_ABOVE", "5000")
WRITE_OFF_TOLERANCE = os.environ.get("SALESOPS_WRITE_OFF_TOLERANCE", "50")
BOOKING_LIMIT_HOURS = int(os.environ.get("SALESOPS_BOOKING_LIMIT_HOURS", "24"))
BOOKING_WARN_HOURS = int(os.environ.get("SALESOPS_BOOKING_WARN_HOURS", "4"))

# Receivables documents and aging: aging bucket edges in days past due ("30,60,90,120" gives
# not due, 1-30, 31-60, 61-90, 91-120, over 120); DSO over the last N days; the TrueType font
# (.ttf or .ttc, glyf outlines) the PDFs embed, which must have Chinese glyphs (`make fonts`).
AGING_BUCKETS = os.environ.get("SALESOPS_AGING_BUCKETS", "30,60,90,120")
DSO_DAYS = int(os.environ.get("SALESOPS_DSO_DAYS", "90"))
PDF_FONT = os.environ.get("SALESOPS_PDF_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

# Query inbox: hours to the first answer per category, e.g.
# SALESOPS_QUERY_SLA_HOURS="credit_note=48,statement=24,payment=24,other=72" (unlisted keep these).
RECEIVABLES_QUERY_SLA_HOURS = {
    "credit_note": 48,
    "statement": 24,
    "payment": 24,
    "other": 72,
    **{
        k.strip(): int(v)
        for k, _, v in (
            part.partition("=")
            for part in os.environ.get("SALESOPS_QUERY_SLA_HOURS", "").split(",")
            if "=" in part
        )
    },
}

ORG_LEVEL_NAMES = [
    s.strip()
    for s in os.environ.get(
        "SALESOPS_ORG_LEVELS", "Company,Area Unit,Regional Unit,Market Unit,Territory"
    ).split(",")
]

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "salesops@localhost")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS") == "1"  # STARTTLS (port 587)
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL") == "1"  # implicit TLS (port 465)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "60"))
if _email_url := os.environ.get("EMAIL_URL", ""):
    # smtp://user:password@host:587?tls=1 (STARTTLS), smtps://user:password@host:465 (TLS);
    # it overrides the EMAIL_* variables above. User and password are URL-decoded.
    from urllib.parse import parse_qs, unquote, urlsplit

    _u = urlsplit(_email_url)
    EMAIL_HOST = _u.hostname or EMAIL_HOST
    EMAIL_PORT = _u.port or (465 if _u.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_u.username or "")
    EMAIL_HOST_PASSWORD = unquote(_u.password or "")
    EMAIL_USE_SSL = _u.scheme == "smtps"
    EMAIL_USE_TLS = parse_qs(_u.query).get("tls", ["0"])[0] == "1"

# Scheduled distribution (salesops.reports): a slot found more than GRACE minutes after it was
# due counts as missed (catch-up policy); a delivery left "sending" longer than LEASE minutes
# by a worker that died is sent again; after MAX_ATTEMPTS failures it is "failed".
REPORTS_SLOT_GRACE_MINUTES = int(os.environ.get("SALESOPS_REPORTS_SLOT_GRACE_MINUTES", "15"))
REPORTS_SEND_LEASE_MINUTES = int(os.environ.get("SALESOPS_REPORTS_SEND_LEASE_MINUTES", "15"))
REPORTS_MAX_ATTEMPTS = int(os.environ.get("SALESOPS_REPORTS_MAX_ATTEMPTS", "6"))
REPORTS_BACKOFF_CAP_MINUTES = int(os.environ.get("SALESOPS_REPORTS_BACKOFF_CAP_MINUTES", "240"))
REPORTS_SEND_BATCH = int(os.environ.get("SALESOPS_REPORTS_SEND_BATCH", "500"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SALESOPS_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
