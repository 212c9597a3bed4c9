"""Anemone settings: one module, driven by environment variables with embedded defaults.

Embedded default: SQLite (WAL, IMMEDIATE transactions) + django-q2's ORM broker in the data dir.
DATABASE_URL switches to PostgreSQL, REDIS_URL switches the task broker to Redis.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from anemone.engines.files import write_private_file
from anemone.env import env_bool, env_choice, env_int, env_networks, env_str

BASE_DIR = Path(__file__).resolve().parent.parent


DATA_DIR = Path(env_str("ANEMONE_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)


ANEMONE_ENV = env_choice("ANEMONE_ENV", "development", ("development", "production"))
PRODUCTION = ANEMONE_ENV == "production"


def _secret_key() -> str:
    """ANEMONE_SECRET_KEY, else ANEMONE_SECRET_KEY_FILE, else a key generated once into the data dir."""
    if value := env_str("ANEMONE_SECRET_KEY"):
        return value
    path = Path(env_str("ANEMONE_SECRET_KEY_FILE", str(DATA_DIR / "secret_key")))
    if not path.exists():
        write_private_file(path, secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _private_file(path: Path) -> None:
    """Create an empty file 0600 if missing. SQLite creates its database with the umask's mode and gives
    the WAL and SHM files the database's mode, so creating it first keeps all three private."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


# Debug only when a developer asks for it: with DEBUG on, any error page shows settings and the URL list.
DEBUG = env_bool("ANEMONE_DEBUG", False)
# '*' by default: a household reaches the portal by whatever IP or name its router gives, and links in
# e-mails are built from the configured server address, not from the request's Host (docs/operations.md).
ALLOWED_HOSTS = [h for h in env_str("ANEMONE_ALLOWED_HOSTS", "*").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env_str("ANEMONE_CSRF_TRUSTED_ORIGINS").split(",") if o]
CSRF_FAILURE_VIEW = "anemone.views.csrf_failure"
SERVER_BIND = env_str("ANEMONE_BIND", "127.0.0.1:8000")  # plain HTTP, for scripts on this machine
# The portal over HTTPS with its own certificate (anemone.tls; the `https` process). Empty: no HTTPS served
# (an HTTPS reverse proxy in front instead: ANEMONE_HTTPS).
HTTPS_BIND = env_str("ANEMONE_HTTPS_BIND", "0.0.0.0:8443")
SFTP_LISTEN = env_str("ANEMONE_SFTP_LISTEN", "")
# Where smbd listens when the SMB shares are on (Settings → Network shares may set its own); the LAN on 445.
ANEMONE_SMB_LISTEN = env_str("ANEMONE_SMB_LISTEN", "0.0.0.0:445")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",  # hashed API tokens (the model is accounts.ApiToken, KNOX_TOKEN_MODEL)
    "axes",  # the login throttle (see the block near the end)
    "django_otp",  # two-factor login (anemone.accounts.two_factor): TOTP and one-time recovery codes
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "drf_spectacular",
    "django_filters",  # list filters of the API (unknown values are a 400)
    "drf_spectacular_sidecar",
    "csp",
    "django_q",
    "anemone",
    "anemone.accounts",
    "anemone.files",
    "anemone.runs",
    "anemone.alerts",
    "auditlog",  # the audit log of admin actions (anemone.audit registers the models and adds the pages)
    "anemone.audit",
    "anemone.drills",
    "anemone.shares",  # device passwords (issue #14); SMB and WebDAV build on them
    "peers",
    "p2p",
    "cloudbackup",
    "usbbackup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before the session and CSRF middlewares: it sees their cookies last, and marks them Secure over HTTPS.
    "anemone.https.HttpsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "anemone.accounts.two_factor.UnverifiedSessionMiddleware",
    "anemone.accounts.middleware.UserLanguageMiddleware",
    # Who and from where for every audit entry of this request (the client address the login throttle uses).
    "anemone.audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "anemone.accounts.middleware.SetupRequiredMiddleware",
    # Last, as axes asks: turns a locked-out attempt into the lock-out page / JSON (accounts.throttle).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "anemone.urls"
WSGI_APPLICATION = "anemone.wsgi.application"

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
                "anemone.context_processors.server",
            ],
        },
    },
]

if env_str("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL"), conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "anemone.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE: writers take the lock up front, so django-q2 never loses a result to
                # "database is locked" (measured, DESIGN §5). WAL lets readers run beside the writer.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # Tests use a file too: workers, the live server and endpoint threads share it like in production
            # (an in-memory shared-cache database answers "table is locked" instead of waiting). One file per
            # test process: pytest-django reads these settings before tests/conftest.py can pick a data dir,
            # so two pytest runs side by side would otherwise delete each other's database.
            "TEST": {"NAME": str(DATA_DIR / f"test-anemone-{os.getpid()}.sqlite3")},
        }
    }
    _private_file(Path(DATABASES["default"]["NAME"]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
# The one language list: forms, the API, the CLI and the middleware read it. Each name in its own language
# (what a person looks for in a language menu).
LANGUAGES = [("en", "English"), ("fr", "Français")]
LANGUAGE_CODES = [code for code, _name in LANGUAGES]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("ANEMONE_TIME_ZONE", env_str("TZ", "UTC")) or "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True, mode=0o700)
WHITENOISE_USE_FINDERS = True  # serve static/ directly too, so tests and a fresh checkout need no collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploads stream to disk in chunks; nothing big is held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 0
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = None  # files.services moves them into the target area itself

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # django-q2's ORM broker keeps each cluster's heartbeat (Stat, every 0.5 s, 3 s lifetime) in a Django cache:
    # a per-process LocMemCache would hide the worker's heartbeat from the web processes, so /ready (anemone.metrics)
    # could never see it. A file cache in the private data dir is shared by every process of this server.
    CACHES["qcluster"] = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(DATA_DIR / "cache" / "qcluster")}

# django-q2: timeout < retry (else a slow task is started twice), bounded attempts, no catch-up
# of every slot missed while the NAS was off.
Q_CLUSTER = {
    "name": "anemone",
    "workers": env_int("ANEMONE_WORKERS", 2),
    "timeout": env_int("ANEMONE_TASK_TIMEOUT", 6 * 3600),
    "retry": env_int("ANEMONE_TASK_TIMEOUT", 6 * 3600) + 600,
    "max_attempts": 1,
    "catch_up": False,
    "save_limit": 500,
    "ack_failures": True,
    "poll": 1,
    "label": "Tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["cache"] = "qcluster"

# /ready (anemone.metrics) fails when the data root's free space is below the smaller of these two (0: no check).
ANEMONE_READY_MIN_FREE_PERCENT = env_int("ANEMONE_READY_MIN_FREE_PERCENT", 5)
ANEMONE_READY_MIN_FREE_BYTES = env_int("ANEMONE_READY_MIN_FREE_BYTES", 1024**3)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Tags per resource (files, runs, cloud...) instead of one "v1" for everything.
    "DEFAULT_SCHEMA_CLASS": "anemone.api.schema.AutoSchema",
    # Bounded, strict limit/offset (a huge limit was a 500) and JSON with a depth limit (1,000 levels was a 500).
    "DEFAULT_PAGINATION_CLASS": "anemone.api.pagination.Pagination",
    "PAGE_SIZE": 100,
    "DEFAULT_PARSER_CLASSES": [
        "anemone.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {"auth": "10/min"},
    "EXCEPTION_HANDLER": "anemone.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Anemone API",
    "DESCRIPTION": "Files, trash, runs and backups of an Anemone server. Authenticate with "
    "`Authorization: Token <token>` from POST /api/v1/auth/token/.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # One tag per resource (anemone.api.schema.AutoSchema), described here, in the order the docs show them.
    "TAGS": [
        {"name": "auth", "description": "Tokens from a username and password; revoking the calling token; the "
                                        "login throttle's locks (admins)."},
        {"name": "me", "description": "The caller's profile, quotas, usage and API tokens."},
        {"name": "accounts", "description": "People of the server, their activation and reset links (admins)."},
        {"name": "files", "description": "List, download, upload, create, rename and delete in the caller's areas."},
        {"name": "trash", "description": "The caller's trash: list, restore, delete for good, empty."},
        {"name": "runs", "description": "Backups, syncs, restores and purges with their progress, filtered by kind, "
                                        "status, trigger or target."},
        {"name": "peers", "description": "Friends' servers (admins): pairing, tunnel state, health checks, our "
                                         "invitation code."},
        {"name": "p2p", "description": "Backups to peers: targets (admins), each person's snapshots there, restores."},
        {"name": "cloud", "description": "Cloud destinations (admins): sync, connection test; restores for everyone."},
        {"name": "usb", "description": "USB drives and backup jobs (admins): eject, sync, snapshots."},
        {"name": "alerts", "description": "Alert channels (admins): e-mail or an Apprise URL (write-only), the "
                                          "events each is told, a test message."},
        {"name": "shares", "description": "The network shares (admins): SMB and WebDAV on or off, where smbd "
                                          "listens. People's device passwords are under me/device-passwords/."},
        {"name": "audit", "description": "The audit log of admin actions (admins, read-only): who, when, from "
                                         "where, what changed; never a secret."},
    ],
    # Every operation documents the 4xx answers every view can give (anemone.api.schema.document_errors).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "anemone.api.schema.document_errors"],
    # Swagger UI from the venv (drf-spectacular-sidecar), never a CDN: works offline, pinned version.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

EMAIL_BACKEND = env_str("ANEMONE_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("ANEMONE_EMAIL_HOST")
EMAIL_PORT = env_int("ANEMONE_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("ANEMONE_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("ANEMONE_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("ANEMONE_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = env_str("ANEMONE_EMAIL_FROM", "anemone@localhost")
# Admins are warned (alerts "warnings") when the disk holding everyone's files has less than this share free.
ANEMONE_DISK_WARN_PERCENT = env_int("ANEMONE_DISK_WARN_PERCENT", 10)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Home-LAN mode is the default: plain HTTP on the LAN works, nothing redirects. Behind an HTTPS reverse
# proxy, ANEMONE_HTTPS (on with ANEMONE_ENV=production) makes cookies secure; the redirect to HTTPS and
# HSTS are separate opt-ins, because HSTS cannot be taken back from browsers that saw it.
HTTPS = env_bool("ANEMONE_HTTPS", PRODUCTION)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("ANEMONE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("ANEMONE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ANEMONE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("ANEMONE_HSTS_PRELOAD", False)

# Content-Security-Policy (django-csp): only our own scripts, styles and images; no inline script or
# style (templates use static/js/anemone.js instead of on* attributes). /api/docs/ relaxes img-src for
# Swagger UI's data: icons (anemone/api/docs.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("ANEMONE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Product defaults an admin can change on the Settings page (stored in anemone.SiteSettings).
DEFAULT_QUOTA_TOTAL_BYTES = 100 * 10**9
DEFAULT_QUOTA_BACKUP_BYTES = 50 * 10**9
ACCOUNT_LINK_HOURS = 24


# --- One login throttle for every way in: django-axes, database handler -------------------------------
# Portal login, /admin/login/, POST /api/v1/auth/token/ and the activation/reset link pages all count in
# axes' AccessAttempt table, which every gunicorn worker shares. The lock-out unit is one user name from one
# client address (AXES_FAILURE_LIMIT failures -> locked for the cool-off), so typos for one name never lock
# another name or another client; one address as a whole has a much higher ceiling against password
# spraying. Details and the reasons in anemone/accounts/throttle.py; admins clear locks on the Users page,
# in the Django admin (Access attempts) or with `manage.py axes_reset_ip_username IP NAME`.
AUTHENTICATION_BACKENDS = [
    "anemone.accounts.throttle.ThrottleBackend",  # refuses a locked pair before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "anemone.accounts.throttle.LoginThrottleHandler"
AXES_FAILURE_LIMIT = env_int("ANEMONE_LOGIN_FAILURE_LIMIT", 5)
ANEMONE_LOGIN_CLIENT_LIMIT = env_int("ANEMONE_LOGIN_CLIENT_LIMIT", 50)
ANEMONE_LOGIN_COOLOFF_MINUTES = env_int("ANEMONE_LOGIN_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = "anemone.accounts.throttle.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a refused attempt during the lock does not extend it
AXES_RESET_ON_SUCCESS = False  # the handler clears only the pair that logged in (axes would clear the address)
AXES_DISABLE_ACCESS_LOG = True  # no row per successful login, which would grow forever
AXES_USERNAME_CALLABLE = "anemone.accounts.throttle.attempt_username"
AXES_CLIENT_IP_CALLABLE = "anemone.accounts.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "anemone.accounts.throttle.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429



# Reverse proxies whose X-Forwarded-For is believed (default: none, the client is REMOTE_ADDR). Behind a
# proxy that is not listed, every client has the proxy's address and shares its per-address ceiling.
ANEMONE_TRUSTED_PROXIES = env_networks("ANEMONE_TRUSTED_PROXIES")

# API tokens: django-rest-knox stores a SHA-512 digest only. No expiry (phone apps and scripts keep a
# token until the person revokes it or changes their password); header "Authorization: Token <token>".
KNOX_TOKEN_MODEL = "accounts.ApiToken"
REST_KNOX = {"TOKEN_TTL": None, "AUTH_HEADER_PREFIX": "Token", "AUTO_REFRESH": False}


# --- Audit log (django-auditlog; anemone/audit, docs/audit.md) ----------------------------------------
# Entries older than this many days are deleted by the daily system job "system:audit-purge".
ANEMONE_AUDIT_KEEP_DAYS = env_int("ANEMONE_AUDIT_KEEP_DAYS", 365)
if ANEMONE_AUDIT_KEEP_DAYS < 1:
    raise ImproperlyConfigured("ANEMONE_AUDIT_KEEP_DAYS must be at least 1 (days).")
# A changed secret is recorded as "set" / "not set", never as (part of) its value (auditlog's default
# mask keeps half of it).
AUDITLOG_MASK_CALLABLE = "anemone.audit.registration.mask"
# No correlation id from a request header: a client could write any text into the log with it.
AUDITLOG_CID_HEADER = ""
AUDITLOG_STORE_JSON_CHANGES = True

# Two-factor login: the authenticator app shows the server's name beside the code. Wrong codes go through
# the one login throttle (django-axes, per name and address, with its lock list); django-otp's own delay
# after a wrong code is off, because it refused the right code typed just after a typo, saying "wrong".
def _otp_issuer(_device: object) -> str:
    from anemone.models import SiteSettings

    return f"Anemone {SiteSettings.load().server_name}"


OTP_TOTP_ISSUER = _otp_issuer
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
