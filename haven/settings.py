"""Django settings for Haven, read from the environment (see docs/configuration.md)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from haven import envconfig

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HAVEN_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = envconfig.secret_key(VAR_DIR)
HAVEN_FIELD_KEYS = envconfig.field_keys(VAR_DIR)
HAVEN_AUDIT_KEY = envconfig.audit_key(VAR_DIR)
# Where the audit chains' heads are appended, outside the database (docs/audit.md).
HAVEN_AUDIT_ANCHOR_FILE = Path(
    os.environ.get("HAVEN_AUDIT_ANCHOR_FILE", "") or VAR_DIR / "audit-anchors.log"
)
DEBUG = envconfig.flag("HAVEN_DEBUG")
HAVEN_DEMO = envconfig.flag("HAVEN_DEMO")
ALLOWED_HOSTS = envconfig.csv_list("HAVEN_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envconfig.csv_list("HAVEN_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "haven.core",
    "haven.accounts",
    "haven.audit",
    "haven.people",
    "haven.cases",
    "haven.assessments",
    "haven.assistance",
    "haven.feedback",
    "haven.tracing",
    "haven.evidence",
    "haven.field",
    "haven.oversight",
    "haven.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "haven.core.web_methods.WebMethodsMiddleware",
    "haven.core.request_guards.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "haven.accounts.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "haven.audit.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "haven.urls"
WSGI_APPLICATION = "haven.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "haven.site.context_processors.haven",
            ],
            "builtins": ["haven.core.templatetags.haven_tags"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'haven.sqlite3'}",
        conn_max_age=int(os.environ.get("HAVEN_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers proceed while one writer commits; the timeout rides out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # Tests use a file, not memory, so that a background worker started by a test (a real
    # Celery worker on a real broker) reads the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "haven.accounts.authentication.UserWithAgencyBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (django-axes): a username from one address; wider
# limits per address and per username over all addresses in accounts.signin_limits.
AXES_FAILURE_LIMIT = int(os.environ.get("HAVEN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("HAVEN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
HAVEN_LOGIN_ADDRESS_LIMIT = int(os.environ.get("HAVEN_LOGIN_ADDRESS_LIMIT", "20"))
HAVEN_LOGIN_USERNAME_LIMIT = int(os.environ.get("HAVEN_LOGIN_USERNAME_LIMIT", "20"))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Lock the account, not the address: field offices often share one public IP behind NAT.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Sessions end after a period without activity.
SESSION_COOKIE_AGE = int(os.environ.get("HAVEN_SESSION_TIMEOUT_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
HAVEN_REAUTH_MINUTES = int(os.environ.get("HAVEN_REAUTH_MINUTES", "10"))
OTP_TOTP_ISSUER = "Haven"

# Behind HTTPS (HAVEN_HTTPS=1): secure cookies, redirect to https and HSTS.
HAVEN_HTTPS = envconfig.flag("HAVEN_HTTPS")
SESSION_COOKIE_SECURE = HAVEN_HTTPS
CSRF_COOKIE_SECURE = HAVEN_HTTPS
SECURE_SSL_REDIRECT = HAVEN_HTTPS
SECURE_HSTS_SECONDS = 31536000 if HAVEN_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HAVEN_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HAVEN_HTTPS else None
SECURE_SSL_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
]
LOCALE_PATHS = [BASE_DIR / "haven" / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("HAVEN_TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Collected files land here (`haven run`); WhiteNoise also serves straight from the apps.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "haven.accounts.authentication.AgencyTokenAuthentication",
    ],
    # Signed in, and holding what the view's `required_perms` names (accounts/gates.py).
    "DEFAULT_PERMISSION_CLASSES": ["haven.accounts.gates.HavenPermission"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "haven.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Haven API",
    "DESCRIPTION": "Case management for the protection of migrants in vulnerable situations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "Difficulty": "haven.people.models.Difficulty",
        "LegalBasis": "haven.people.models.LegalBasis",
        "ReturnStatusEnum": "haven.assistance.models.ReturnStatus",
        "PlanStatusEnum": "haven.assistance.models.PlanStatus",
        "PlanKindEnum": "haven.assistance.models.PlanKind",
        "ComponentStatusEnum": "haven.assistance.models.ComponentStatus",
        "FeedbackStatusEnum": "haven.feedback.models.Status",
        "FeedbackCategoryEnum": "haven.feedback.models.Category",
        "FeedbackChannelEnum": "haven.feedback.models.Channel",
        "FeedbackStaffChannelEnum": "haven.feedback.models.STAFF_CHANNELS",
        "FeedbackPriorityEnum": "haven.feedback.models.Priority",
        "IncidentKindEnum": "haven.feedback.models.IncidentKind",
        "AffectedSexEnum": "haven.feedback.models.AffectedSex",
        "SexEnum": "haven.people.models.Sex",
        "TracingStatusEnum": "haven.tracing.models.TracingStatus",
        "MatchStatusEnum": "haven.tracing.models.MatchStatus",
        "AgeBandEnum": "haven.feedback.models.AgeBand",
        "PerpetratorEnum": "haven.feedback.models.Perpetrator",
    },
}

# Background jobs: a real broker when HAVEN_BROKER_URL is set, otherwise run in-process.
HAVEN_BROKER_URL = os.environ.get("HAVEN_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not HAVEN_BROKER_URL
# In-process jobs still pass through a producer to serialise their arguments: the memory
# transport is that producer's, so nothing looks for a broker on localhost.
CELERY_BROKER_URL = HAVEN_BROKER_URL or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
# Periodic jobs, run by the worker's scheduler (`celery worker --beat`, which `haven run`
# starts with a broker) or, without a broker, by `haven remind --every`.
HAVEN_REMINDER_INTERVAL_SECONDS = int(os.environ.get("HAVEN_REMINDER_INTERVAL_SECONDS", "3600"))
CELERY_BEAT_SCHEDULE = {
    "referral-reminders": {
        "task": "haven.assistance.tasks.send_referral_reminders",
        "schedule": HAVEN_REMINDER_INTERVAL_SECONDS,
    },
    "feedback-escalation": {
        "task": "haven.feedback.tasks.escalate_overdue_feedback",
        "schedule": HAVEN_REMINDER_INTERVAL_SECONDS,
    },
    "audit-anchor": {
        "task": "haven.audit.tasks.anchor_audit_chains",
        "schedule": HAVEN_REMINDER_INTERVAL_SECONDS,
    },
    "release-expiry": {
        "task": "haven.evidence.tasks.remove_expired_releases",
        "schedule": 24 * 3600,
    },
    "retention": {
        "task": "haven.oversight.tasks.apply_retention_rules",
        "schedule": 24 * 3600,
    },
    "device-file-expiry": {
        "task": "haven.field.tasks.remove_unclaimed_device_files",
        "schedule": 24 * 3600,
    },
}

# Mail (referral reminders). Without an SMTP host nothing is mailed; reminders are still
# recorded and the overdue lists still show them.
HAVEN_SMTP_HOST = os.environ.get("HAVEN_SMTP_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if HAVEN_SMTP_HOST
    else "django.core.mail.backends.dummy.EmailBackend"
)
EMAIL_HOST = HAVEN_SMTP_HOST
EMAIL_PORT = int(os.environ.get("HAVEN_SMTP_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("HAVEN_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("HAVEN_SMTP_PASSWORD", "")
EMAIL_USE_TLS = envconfig.flag("HAVEN_SMTP_TLS", default=True)
DEFAULT_FROM_EMAIL = os.environ.get("HAVEN_EMAIL_FROM", "haven@localhost")
# The address users reach Haven at, for links in mail.
HAVEN_BASE_URL = os.environ.get("HAVEN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HAVEN_LOG_LEVEL", "WARNING")},
}

# The largest photo, recording or document an assessment answer may attach (bytes).
HAVEN_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("HAVEN_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))
)

# Days a data subject's request may take before it is overdue (docs/data-protection.md).
HAVEN_SUBJECT_REQUEST_DAYS = int(os.environ.get("HAVEN_SUBJECT_REQUEST_DAYS", "30"))
# Staff members' notes withheld from subject-access answers by default, where the law
# allows it (the officer can still release each one, with a reason).
HAVEN_SUBJECT_WITHHOLD_STAFF_NOTES = envconfig.flag(
    "HAVEN_SUBJECT_WITHHOLD_STAFF_NOTES", default=False
)
# The largest subject-access answer archive; a larger answer is split into parts that fit.
HAVEN_SUBJECT_ANSWER_MAX_BYTES = int(
    os.environ.get("HAVEN_SUBJECT_ANSWER_MAX_BYTES", str(20 * 1024 * 1024))
)

# Counts below this in published aggregates are hidden (small-cell protection).
HAVEN_SMALL_CELL = int(os.environ.get("HAVEN_SMALL_CELL", "5"))

# Feedback and complaints (docs/feedback.md). The public pages' abuse protection: messages
# and status checks per address per hour, the least seconds between showing the form and
# taking it (scripts post at once), and how long a form stays valid.
HAVEN_FEEDBACK_SUBMIT_LIMIT = int(os.environ.get("HAVEN_FEEDBACK_SUBMIT_LIMIT", "10"))
HAVEN_FEEDBACK_STATUS_LIMIT = int(os.environ.get("HAVEN_FEEDBACK_STATUS_LIMIT", "30"))
HAVEN_FEEDBACK_MIN_SECONDS = float(os.environ.get("HAVEN_FEEDBACK_MIN_SECONDS", "3"))
HAVEN_FEEDBACK_FORM_HOURS = int(os.environ.get("HAVEN_FEEDBACK_FORM_HOURS", "2"))
# Overdue submissions go to the overseers after this many more hours.
HAVEN_FEEDBACK_ESCALATE_AFTER_HOURS = int(
    os.environ.get("HAVEN_FEEDBACK_ESCALATE_AFTER_HOURS", "48")
)
# Shown when a message cannot be received (the database is down): how else to reach you.
HAVEN_FEEDBACK_CONTACT = os.environ.get("HAVEN_FEEDBACK_CONTACT", "")

# Days after registration by which each workflow step is due.
HAVEN_DUE_DAYS = {"assessment": 3, "case_plan": 14, "follow_up": 30}

# Field work offline: a device that has not synced for this many days wipes its data; it
# locks after this many minutes without use; a pull sends this many cases per page.
HAVEN_OFFLINE_WIPE_DAYS = int(os.environ.get("HAVEN_OFFLINE_WIPE_DAYS", "14"))
HAVEN_OFFLINE_LOCK_MINUTES = int(os.environ.get("HAVEN_OFFLINE_LOCK_MINUTES", "10"))
HAVEN_OFFLINE_PAGE = int(os.environ.get("HAVEN_OFFLINE_PAGE", "100"))
