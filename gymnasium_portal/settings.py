"""Settings of the gymnasium portal.

Everything that differs between a laptop and production comes from environment variables
(see the table in README.md). With nothing set the portal runs on embedded defaults:
a SQLite file and a filesystem Celery broker under ``var/``, console e-mail, Django's debug pages
off (the portal's own Russian error pages, as a school trying it should see them).

``DEBUG`` has three states: unset — a local run (``make run``: a fixed local key, local host
names, plain HTTP); ``1`` — the same with Django's debug pages (``make run DEBUG=1``); ``0`` —
production (a secret key required, secure cookies, HTTPS, manifest static files).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Production is asked for by name (DEBUG=0); DEBUG merely unset is a local run, which must not
# demand a secret key nor HTTPS of a newcomer — nor show them Django's English debug pages.
PORTAL_PRODUCTION = not DEBUG and os.environ.get("DEBUG", "").strip() != ""

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PORTAL_PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production (DEBUG=0).")
    # A fixed, obviously insecure key for local runs only; production refuses to start without one.
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    [] if PORTAL_PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"],
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    "django_htmx",
    "axes",
    "csp",
    # The portal's apps, in their layers (STYLE.md): each imports only from those above it.
    "staff",
    "compliance",
    "chats",
    "invitations",
    "messenger",
    "orders",
    "roster",
    "board",
    "devtools",  # benchmarks and scale data: developer tools, after the product apps
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Everything past the static files: «private, no-store» (personal data, 152-ФЗ).
    "gymnasium_portal.middleware.PrivateNoStoreMiddleware",
    # Before anything reads the session by its key or a view queries by a value: NUL → 400/404.
    "gymnasium_portal.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out login attempt into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gymnasium_portal.urls"
WSGI_APPLICATION = "gymnasium_portal.wsgi.application"
ASGI_APPLICATION = "gymnasium_portal.asgi.application"

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
                "gymnasium_portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for the lock instead of failing at once; take the
    # write lock when a transaction begins (no deadlock upgrading a read lock, so a single-use
    # link opened by many at once is used once), and let readers go on while one writes (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL;",
    )
    # The test database is a file too: threads and the live server share it as processes would.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_portal.sqlite3")}
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and permissions ---------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses a login (form, admin, API token) for a username+address locked out by axes.
    "gymnasium_portal.auth.LoginAttemptBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RENDER_403 = False
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous visitors have no rights at all
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = (
    None  # registration/logged_out.html: "you are out", with advice for shared computers
)
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 12)))
# Staff often use shared school computers: the session also ends when the browser is closed.
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# Login brute-force protection (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is locked out for AXES_COOLOFF_MINUTES
# (page in Russian, 429).
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Reverse proxies in front of gunicorn that append to X-Forwarded-For (0: trust REMOTE_ADDR only).
PORTAL_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "gymnasium_portal.auth.client_ip"
# No usernames and addresses in the logs, no per-request access log rows (personal data).
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: revokes the API tokens whenever a password changes (gymnasium_portal/auth.py).
    {"NAME": "gymnasium_portal.auth.RevokeCredentialsOnPasswordChange"},
]
# API tokens are valid this many days after they were issued (a fixed term, not prolonged by use).
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский"))]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "gymnasium_portal" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PORTAL_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Decided once from the environment: a local run (DEBUG off or on) and the test runner serve the
# files straight from the apps through whitenoise (no collectstatic needed); production serves
# the collected, hashed files.
WHITENOISE_USE_FINDERS = not PORTAL_PRODUCTION
WHITENOISE_AUTOREFRESH = not PORTAL_PRODUCTION

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if not os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@gymnasium.local")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------
# The host part means nothing to the filesystem transport; naming one keeps kombu from warning.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://localhost//"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: messages are files in var/broker, shared by web, worker and beat.
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcast (pidbox) messages; kombu would otherwise write ./control
        # in the working directory.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# --- Django REST framework and the OpenAPI schema --------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gymnasium_portal.token_auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's three, JSON answering 400 for a body nested too deeply (gymnasium_portal/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "gymnasium_portal.parsers.PortalJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DATE_FORMAT": "%Y-%m-%d",
    "DATE_INPUT_FORMATS": ["%Y-%m-%d"],
    # A Django ValidationError from a service answers DRF's 400 (gymnasium_portal/api_errors.py).
    "EXCEPTION_HANDLER": "gymnasium_portal.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Портал гимназии: API",
    "DESCRIPTION": "HTTP API of the gymnasium communication portal (order No. 883, Sferum).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc served from the installed sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two choice sets share the field name «kind»: the chat kind keeps its name, imports get theirs.
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "chats.models.ChatKind",
        "ImportKindEnum": "roster.models.ImportRun.Kind",
    },
    # Every operation also documents the shared 400/401/403/404 answers of the API contract.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gymnasium_portal.openapi.document_error_responses",
    ],
}

# --- Portal settings ------------------------------------------------------------------------
# The public address of the portal: the invitation links, the QR codes and the password reset
# e-mail are built from it, never from the request's Host (which a client may forge).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "").strip().rstrip("/")
if not PORTAL_BASE_URL:
    if PORTAL_PRODUCTION:
        raise ImproperlyConfigured(
            "PORTAL_BASE_URL must be set in production (DEBUG=0): "
            "the portal's public address, e.g. https://portal.example."
        )
    PORTAL_BASE_URL = "http://127.0.0.1:8000"  # make run's address (run_portal passes its own)
if not PORTAL_BASE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("PORTAL_BASE_URL must start with https:// (or http://).")
SFERUM_SUPPORT_EMAIL = os.environ.get("SFERUM_SUPPORT_EMAIL", "info@sferum.ru")
# Chat links are accepted only on the platform's domains (and their subdomains).
PLATFORM_LINK_DOMAINS = env_list("PLATFORM_LINK_DOMAINS", ["max.ru", "web.max.ru", "sferum.ru"])
# Requests for unknown invitation tokens allowed per client address and window (anti-guessing).
# The order board's rendered figures are reused for this many seconds per school (0: computed on
# every request); the page says when they were computed and offers to recompute them at once.
BOARD_CACHE_SECONDS = int(os.environ.get("BOARD_CACHE_SECONDS", "60"))
# The inspector's table reads every school's stored figures (board.standings); a school's are
# recomputed on the page when older than this (the snapshot job refreshes them hourly).
INSPECTOR_STANDING_MAX_AGE = int(os.environ.get("INSPECTOR_STANDING_MAX_AGE", "3900"))

# An active link nobody has used gets a finding this many days before its term ends.
INVITATION_EXPIRY_WARNING_DAYS = int(os.environ.get("INVITATION_EXPIRY_WARNING_DAYS", "2"))

# Personal data of withdrawn consents, rejected or stale join requests and departed staff is
# erased this many days after the withdrawal, review, request or departure (erase_personal_data).
PERSONAL_DATA_RETENTION_DAYS = int(os.environ.get("PERSONAL_DATA_RETENTION_DAYS", "30"))

# Password reset requests per client address and per e-mail address typed, within the window.
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "10"))
PASSWORD_RESET_LIMIT_PER_ACCOUNT = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ACCOUNT", "3"))
PASSWORD_RESET_WINDOW = int(os.environ.get("PASSWORD_RESET_WINDOW", "3600"))  # seconds

INVITE_GUESS_LIMIT = int(os.environ.get("INVITE_GUESS_LIMIT", "20"))
INVITE_GUESS_WINDOW = timedelta(seconds=int(os.environ.get("INVITE_GUESS_WINDOW", "600")))

# --- MAX messenger (API.md «MAX messenger integration») ----------------------------------------
# With MAX_BOT_TOKEN unset the integration is off: nothing calls MAX and the pages say so.
MAX_API_URL = os.environ.get("MAX_API_URL", "https://platform-api2.max.ru").rstrip("/")
MAX_BOT_TOKEN = os.environ.get("MAX_BOT_TOKEN", "")
MAX_WEBHOOK_SECRET = os.environ.get("MAX_WEBHOOK_SECRET", "")
MAX_BOT_USERNAME = os.environ.get("MAX_BOT_USERNAME", "")
# Requests per second to MAX across all workers (MAX allows about 30 per bot).
MAX_RATE_LIMIT = int(os.environ.get("MAX_RATE_LIMIT", "25"))
# Where the workers share the rate limiter: a Redis database; unset → CACHE_URL, then the broker
# when it is Redis; with none of them (the embedded default) the limiter is per process.
MAX_REDIS_URL = os.environ.get("MAX_REDIS_URL") or (
    os.environ.get("CACHE_URL")
    or (CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "")
)
MAX_TIMEOUT_SECONDS = float(os.environ.get("MAX_TIMEOUT_SECONDS", "10"))
MAX_RETRIES = int(os.environ.get("MAX_RETRIES", "4"))  # attempts after the first one
MAX_BACKOFF_SECONDS = float(os.environ.get("MAX_BACKOFF_SECONDS", "1"))
MAX_LINK_CODE_MINUTES = int(os.environ.get("MAX_LINK_CODE_MINUTES", "30"))

_REDIS_CACHE = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": os.environ.get("CACHE_URL"),
}
CACHES = {
    "default": (
        _REDIS_CACHE
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_cache"}
    ),
    # Rendered order boards (derived data, a minute old at most):
    # shared through Redis where there is
    # one, else kept in each web process's memory — never a database round trip to save one.
    "board": (
        {**_REDIS_CACHE, "KEY_PREFIX": "board"}
        if os.environ.get("CACHE_URL")
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "board",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    ),
}

# --- Security (production) ------------------------------------------------------------------
if PORTAL_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    # The load balancer asks /healthz over plain HTTP; a redirect would read as "down".
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    if not SECURE_HSTS_PRELOAD:
        # Joining the browsers' preload list is the domain owner's decision, not a default (README).
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp), in production and in development alike: our pages load
# only our own static JS and CSS (htmx is served by django-htmx from our static files).
# Inline style attributes stay allowed (progress meters, htmx's indicator style); inline scripts
# do not, except the one print button handler allowed by its hash ("window.print()").
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": [
            "'self'",
            "'unsafe-hashes'",
            "'sha256-MguIPR6qNR8D3B+eAlK+bIRTZe8t3wkOY4B/56Me9FU='",
        ],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler (DEBUG only) would print every request warning a second
        # time, traceback and all, beside the root's: the root alone writes it.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # axes: only lockouts (WARNING), not every successful login's clean-up.
        "axes": {"level": "WARNING"},
        # The МАХ client's transport: one INFO line per request (an hourly sync of 660 chats is
        # 660 lines); messenger logs what a request meant, and httpx still logs its warnings.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
