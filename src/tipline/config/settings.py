"""The one settings module. Everything variable comes from the environment (see README)."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured

from tipline.common.env import env_bool, env_int, env_list, env_match, env_secret, env_str

# Lets model fields be subscripted for their types (`models.TextField[Any, Any]`) at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TIPLINE_VAR_DIR", str(Path.cwd() / "var")))

# `make run` writes this marker, so the `tipline` commands run from a demo checkout read the demo
# settings as the servers it started do. A production host has no marker; TIPLINE_DEMO=0 wins.
DEMO_MARKER = VAR_DIR / ".demo"
DEMO_MODE = env_bool("TIPLINE_DEMO", DEMO_MARKER.is_file())
DEBUG = env_bool("DJANGO_DEBUG", False)
TESTING = env_bool("TIPLINE_TESTING", False)

# Fixed development values. Production refuses to start with any of them (see `_refuse_defaults`).
DEV_SECRET_KEY = "dev-insecure-secret-key-not-for-production-use-0000000000"  # noqa: S105
DEV_FIELD_KEYS = "dev1:ZGV2LWZpZWxkLWtleS1ub3QtZm9yLXByb2R1Y3Rpb24="
DEV_MEDIA_KEY = "ZGV2LW1lZGlhLWtleS1ub3QtZm9yLXByb2R1Y3Rpb24="
DEV_BLIND_INDEX_KEY = "dev-blind-index-key-not-for-production-use-000000"  # noqa: S105
# An Ed25519 seed (32 bytes) that signs court bundles in development only.
DEV_EVIDENCE_SIGNING_KEYS = "dev1:ZGV2LWV2aWRlbmNlLXNpZ25pbmcta2V5LW5vdC1wcm8="
_RELAXED = DEMO_MODE or DEBUG or TESTING
# Commands that touch neither the database nor a key (`tipline extract`, `locate`, `hash`) run
# anywhere: `tipline` names them here. Their secrets stay empty, so nothing can use a default.
SECRETLESS_COMMANDS = frozenset({"extract", "locate", "hash"})
_SECRETLESS = env_str("TIPLINE_CLI_COMMAND", "") in SECRETLESS_COMMANDS

SECRET_KEY = env_secret("DJANGO_SECRET_KEY") or (DEV_SECRET_KEY if _RELAXED else "")
TIPLINE_FIELD_KEYS = env_secret("TIPLINE_FIELD_KEYS") or (DEV_FIELD_KEYS if _RELAXED else "")
TIPLINE_MEDIA_KEY = env_secret("TIPLINE_MEDIA_KEY") or (DEV_MEDIA_KEY if _RELAXED else "")
# Keys the people matcher's blind indexes (HMAC of name tokens and identifiers), apart from the
# field keys: rotating it means re-indexing, never re-encrypting.
TIPLINE_BLIND_INDEX_KEY = env_secret("TIPLINE_BLIND_INDEX_KEY") or (
    DEV_BLIND_INDEX_KEY if _RELAXED else ""
)
# Ed25519 seeds that sign court bundles' SHA256SUMS (`id:base64seed,id:base64seed`): the first
# signs, every one stays published (`tipline evidence public-key --all`) so old bundles verify.
TIPLINE_EVIDENCE_SIGNING_KEYS = env_secret("TIPLINE_EVIDENCE_SIGNING_KEYS") or (
    DEV_EVIDENCE_SIGNING_KEYS if _RELAXED else ""
)
MFA_REQUIRED = env_bool("TIPLINE_MFA_REQUIRED", not DEMO_MODE)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "tipline.common",
    "tipline.accounts",
    "tipline.audit",
    "tipline.geo",
    "tipline.reports",
    "tipline.identifiers",
    "tipline.intake",
    "tipline.media",
    "tipline.pipeline",
    "tipline.triage",
    "tipline.search",
    "tipline.graph",
    "tipline.dashboards",
    "tipline.console",
    "tipline.people",
    "tipline.cases",
    "tipline.exchange",
    "tipline.travellers",
    "tipline.screening",
    "tipline.publicstats",
    "tipline.missing",
    "tipline.ops",
]

MIDDLEWARE = [
    # Outermost: /healthz, /readyz and /metrics, and the count of every request (tipline.ops).
    "tipline.ops.middleware.OpsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that queries (session, user, look-ups): an unreachable database
    # answers 503 with Retry-After in the area's dialect, never a 500 (common/outage.py).
    "tipline.common.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tipline.accounts.middleware.StaffSessionMiddleware",
    "tipline.common.headers.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost: writes the look-ups a view noted in one INSERT before its response leaves.
    "tipline.audit.lookups.LookupMiddleware",
]

ROOT_URLCONF = "tipline.config.urls"
WSGI_APPLICATION = "tipline.config.wsgi.application"
# What each area answers while the database cannot be reached; the longest prefix wins.
TIPLINE_OUTAGE_RESPONDERS = {
    "/api/": "tipline.intake.outage.api_unavailable",
    "/ispws/": "tipline.intake.outage.ispws_unavailable",
    "/console/": "tipline.console.outage.console_unavailable",
    "/accounts/": "tipline.console.outage.console_unavailable",
    "/admin/": "tipline.console.outage.console_unavailable",
    "/": "tipline.intake.outage.public_unavailable",
}

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
                "tipline.console.context.platform",
                "tipline.console.context.notifications",
            ],
        },
    }
]


def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tipline.sqlite3'}")
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Web server and worker write at once: WAL, a busy timeout and IMMEDIATE transactions
        # are what keep SQLite from answering "database is locked".
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        config["CONN_MAX_AGE"] = 0
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

CACHES = {
    "default": {
        # Shared across web processes, which a per-process cache would not be (rate limits).
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tipline_cache",
    }
}

# (function path, interval in seconds): every `tipline worker` runs these between batches. Each
# is idempotent, so several workers running one at about the same time is harmless.
PERIODIC_JOBS = [
    ("tipline.intake.tasks.ispws_expire", 600),
    ("tipline.media.tasks.media_sweep", 900),
    # Folds new hash-list entries into a freshly published matcher index (media.published).
    ("tipline.media.tasks.matcher_rebuild", 600),
    # Reports with an addendum: extract, media, link, index and prioritise again, and notify.
    ("tipline.pipeline.services.pipeline_process_reruns", 15),
    # Signed webhooks to partners, at least once, in order per partner (exchange.tasks).
    ("tipline.exchange.tasks.webhooks_deliver_due", 5),
    # Partners' updates (outcomes, addenda, alerts) whose send after their commit never ran.
    ("tipline.exchange.tasks.announcements_due", 30),
    # Replies to reporters by SMS and WhatsApp, and the sweep of ended phone conversations.
    ("tipline.intake.tasks.channel_send_due", 5),
    ("tipline.intake.tasks.channel_fetch_media", 5),
    ("tipline.intake.tasks.channel_sweep", 300),
    # Travel notices: personal fields purged after departure and retention; manifests expired.
    ("tipline.travellers.tasks.travellers_purge_due", 3600),
]

# Travel notices (travellers): days after departure before a notice not linked to a case has its
# personal fields purged; days a hotel's manifest is kept (then only its matched rows); how long
# before arrival and after departure a report is matched against a notice.
TRAVEL_NOTICE_RETENTION_DAYS = env_int("TIPLINE_TRAVEL_NOTICE_RETENTION_DAYS", 90, minimum=1)
TRAVEL_MANIFEST_RETENTION_DAYS = env_int("TIPLINE_TRAVEL_MANIFEST_RETENTION_DAYS", 30, minimum=1)
TRAVEL_MATCH_DAYS_BEFORE = env_int("TIPLINE_TRAVEL_MATCH_DAYS_BEFORE", 2, minimum=0)
TRAVEL_MATCH_DAYS_AFTER = env_int("TIPLINE_TRAVEL_MATCH_DAYS_AFTER", 7, minimum=0)

# Partner webhooks: how long a partner's endpoint may take, how many attempts before a dead
# letter, how long a rotated secret keeps signing, and whether http:// endpoints are allowed
# (development and tests only: a package carries personal data).
EXCHANGE_WEBHOOK_TIMEOUT = env_int("TIPLINE_WEBHOOK_TIMEOUT", 10, minimum=1)
EXCHANGE_WEBHOOK_MAX_ATTEMPTS = env_int("TIPLINE_WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
EXCHANGE_SECRET_OVERLAP = timedelta(
    hours=env_int("TIPLINE_WEBHOOK_SECRET_OVERLAP_HOURS", 24, minimum=0)
)
EXCHANGE_WEBHOOK_ALLOW_HTTP = env_bool("TIPLINE_WEBHOOK_ALLOW_HTTP", _RELAXED)
# Forwarding to NCMEC as an ESP client of the CyberTipline API (exchange.cybertipline). Empty
# URL: forwarding is off. NCMEC gives the ESP account; the reporting person is the agency.
EXCHANGE_NCMEC_URL = env_match(
    "TIPLINE_NCMEC_FORWARD_URL", "", pattern=r"https?://[^\s]+", shape="https://HOST/ispws"
)
EXCHANGE_NCMEC_USERNAME = env_str("TIPLINE_NCMEC_FORWARD_USERNAME", "")
EXCHANGE_NCMEC_PASSWORD = env_secret("TIPLINE_NCMEC_FORWARD_PASSWORD") or ""
EXCHANGE_NCMEC_REPORTER_EMAIL = env_str("TIPLINE_NCMEC_REPORTER_EMAIL", "")
EXCHANGE_NCMEC_REPORTER_NAME = env_str("TIPLINE_NCMEC_REPORTER_NAME", "NAPTIP")
EXCHANGE_NCMEC_TIMEOUT = env_int("TIPLINE_NCMEC_FORWARD_TIMEOUT", 30, minimum=1)
# The API's main OpenAPI document (intake) merges in these apps' parts: see intake/openapi.py.
API_OPENAPI_PARTS = ["tipline.exchange.openapi.openapi_part"]

# Phone channels (intake.channels): USSD, SMS and WhatsApp. A channel whose secret is empty is
# off (its callbacks answer 404); development and tests get fixed values, never production.
CHANNEL_USSD_SESSION_SECONDS = env_int("TIPLINE_USSD_SESSION_SECONDS", 180, minimum=10)
CHANNEL_RESUME_SECONDS = env_int("TIPLINE_CHANNEL_RESUME_SECONDS", 600, minimum=60)
CHANNEL_RATE_PER_HOUR = env_int("TIPLINE_CHANNEL_RATE_PER_HOUR", 60, minimum=1)
CHANNEL_USSD_SESSIONS_PER_HOUR = env_int("TIPLINE_USSD_SESSIONS_PER_HOUR", 30, minimum=1)
CHANNEL_SEND_BATCH = env_int("TIPLINE_CHANNEL_SEND_BATCH", 50, minimum=1)
CHANNEL_HTTP_TIMEOUT = env_int("TIPLINE_CHANNEL_HTTP_TIMEOUT", 10, minimum=1)
# Africa's Talking signs nothing: its callback URLs carry this token (`?key=`) instead.
AFRICASTALKING_CALLBACK_TOKEN = env_secret("TIPLINE_AFRICASTALKING_CALLBACK_TOKEN") or (
    "dev-at-callback-token" if _RELAXED else ""
)
AFRICASTALKING_USERNAME = env_str("TIPLINE_AFRICASTALKING_USERNAME", "sandbox")
AFRICASTALKING_API_KEY = env_secret("TIPLINE_AFRICASTALKING_API_KEY") or ""
AFRICASTALKING_SMS_URL = env_str(
    "TIPLINE_AFRICASTALKING_SMS_URL", "https://api.africastalking.com/version1/messaging"
)
# A neutral sender name or short code: a watched phone must not show who wrote.
CHANNEL_SENDER_ID = env_str("TIPLINE_CHANNEL_SENDER_ID", "")
TWILIO_ACCOUNT_SID = env_str("TIPLINE_TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_secret("TIPLINE_TWILIO_AUTH_TOKEN") or (
    "dev-twilio-auth-token" if _RELAXED else ""
)
TWILIO_FROM = env_str("TIPLINE_TWILIO_FROM", "")
TWILIO_API_URL = env_str("TIPLINE_TWILIO_API_URL", "https://api.twilio.com")
# The public base URL Twilio posts to (it signs that URL; behind a proxy the Host differs).
TWILIO_WEBHOOK_BASE_URL = env_str("TIPLINE_TWILIO_WEBHOOK_BASE_URL", "")
# How replies leave: live (through the provider each message came by), log (development: logged,
# never sent) or memory (tests: kept in a list, never sent). Checked here, at start-up.
CHANNEL_GATEWAYS = env_match(
    "TIPLINE_CHANNEL_GATEWAYS", "", pattern="live|log|memory", shape="live, log or memory"
) or ("log" if _RELAXED else "live")
WHATSAPP_VERIFY_TOKEN = env_secret("TIPLINE_WHATSAPP_VERIFY_TOKEN") or (
    "dev-whatsapp-verify-token" if _RELAXED else ""
)
WHATSAPP_APP_SECRET = env_secret("TIPLINE_WHATSAPP_APP_SECRET") or (
    "dev-whatsapp-app-secret" if _RELAXED else ""
)
WHATSAPP_ACCESS_TOKEN = env_secret("TIPLINE_WHATSAPP_ACCESS_TOKEN") or ""
WHATSAPP_PHONE_NUMBER_ID = env_str("TIPLINE_WHATSAPP_PHONE_NUMBER_ID", "")
# Media is fetched from this endpoint only (the Graph API; a local fake in tests).
WHATSAPP_GRAPH_URL = env_str("TIPLINE_WHATSAPP_GRAPH_URL", "https://graph.facebook.com/v21.0")
# Hosts the Graph API may send us to for a media file's bytes (besides the Graph API's own).
WHATSAPP_MEDIA_HOSTS = env_list("TIPLINE_WHATSAPP_MEDIA_HOSTS", ["lookaside.fbsbx.com"])
WHATSAPP_MEDIA_MAX_BYTES = env_int(
    "TIPLINE_WHATSAPP_MEDIA_MAX_BYTES", 100 * 1024 * 1024, minimum=1024
)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
if TESTING:
    PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",  # speed only; never outside tests
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "console:reports"

SESSION_COOKIE_AGE = env_int("TIPLINE_SESSION_MAX_SECONDS", 12 * 3600, minimum=60)
SESSION_IDLE_SECONDS = env_int("TIPLINE_SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE = env_bool("TIPLINE_SECURE_COOKIES", not _RELAXED)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
# Failed logins: one username from one address is paused after LOGIN_MAX_FAILURES; one address
# after LOGIN_IP_MAX_FAILURES across all usernames; an account as a whole after
# LOGIN_ACCOUNT_MAX_FAILURES from anywhere (then it needs its second factor, if enrolled).
LOGIN_MAX_FAILURES = env_int("TIPLINE_LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_IP_MAX_FAILURES = env_int("TIPLINE_LOGIN_IP_MAX_FAILURES", 20, minimum=1)
LOGIN_ACCOUNT_MAX_FAILURES = env_int("TIPLINE_LOGIN_ACCOUNT_MAX_FAILURES", 20, minimum=1)
# /ispws Basic auth: failures per client name and address, and per address (LOGIN_LOCK_SECONDS).
ISPWS_MAX_FAILURES = env_int("TIPLINE_ISPWS_MAX_FAILURES", 10, minimum=1)
ISPWS_IP_MAX_FAILURES = env_int("TIPLINE_ISPWS_IP_MAX_FAILURES", 30, minimum=1)
# The link graph draws at most this many nodes; larger clusters are summarised.
GRAPH_MAX_NODES = env_int("TIPLINE_GRAPH_MAX_NODES", 150, minimum=10)
# Due reports a worker claims at once; fresh ones among them run together (1: one by one). A
# batch costs some twenty statements whatever its size: at 100 a report costs a fifth less time
# than at 50 (bench/pipeline.py), and a batch still commits within about half a second.
PIPELINE_BATCH_SIZE = env_int("TIPLINE_PIPELINE_BATCH", 100, minimum=1)
# A worker's claim on a report lapses this long after its last heartbeat (every quarter of it):
# how soon another worker takes over the reports of one that died.
PIPELINE_LEASE_SECONDS = env_int("TIPLINE_PIPELINE_LEASE_SECONDS", 20, minimum=2)
# Who the platform says it is when it forwards a report to NCMEC (`tipline export_ncmec`).
NCMEC_EXPORT_REPORTER_EMAIL = env_str("TIPLINE_NCMEC_EXPORT_EMAIL", "reports@tipline.invalid")
LOGIN_LOCK_SECONDS = env_int("TIPLINE_LOGIN_LOCK_SECONDS", 15 * 60, minimum=1)

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("ha", "Hausa"),
    ("yo", "Yorùbá"),
    ("ig", "Igbo"),
    ("pcm", "Naijá (Pidgin)"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django ships no locale metadata for these; the public pages need it for the language switcher.
LANG_INFO.update(
    {
        "ha": {"bidi": False, "code": "ha", "name": "Hausa", "name_local": "Hausa"},
        "yo": {"bidi": False, "code": "yo", "name": "Yoruba", "name_local": "Yorùbá"},
        "ig": {"bidi": False, "code": "ig", "name": "Igbo", "name_local": "Igbo"},
        "pcm": {"bidi": False, "code": "pcm", "name": "Nigerian Pidgin", "name_local": "Naijá"},
    }
)
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
DISPLAY_TIME_ZONE = "Africa/Lagos"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Tests and development serve static files straight from the apps, without collectstatic.
WHITENOISE_USE_FINDERS = TESTING or DEBUG
WHITENOISE_AUTOREFRESH = TESTING or DEBUG

MEDIA_STORE_DIR = Path(env_str("TIPLINE_MEDIA_DIR", str(VAR_DIR / "media")))
# Media (and the published matcher index) on an S3-compatible store: `s3://BUCKET/PREFIX`.
# Empty: the directory above, the embedded default. Encryption stays ours either way.
MEDIA_STORE = env_match(
    "TIPLINE_MEDIA_STORE",
    "",
    pattern=r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[\w./-]*)?",
    shape="s3://BUCKET/PREFIX",
)
S3_ENDPOINT = env_match(  # empty: AWS itself
    "TIPLINE_S3_ENDPOINT", "", pattern=r"https?://[^\s/]+/?", shape="http(s)://HOST[:PORT]"
)
S3_ACCESS_KEY = env_secret("TIPLINE_S3_ACCESS_KEY") or ""
S3_SECRET_KEY = env_secret("TIPLINE_S3_SECRET_KEY") or ""
S3_REGION = env_str("TIPLINE_S3_REGION", "us-east-1")
S3_CONNECT_TIMEOUT = env_int("TIPLINE_S3_CONNECT_TIMEOUT", 3, minimum=1)
S3_READ_TIMEOUT = env_int("TIPLINE_S3_READ_TIMEOUT", 30, minimum=1)
S3_MAX_ATTEMPTS = env_int("TIPLINE_S3_MAX_ATTEMPTS", 3, minimum=1)
# How often a process looks for a media store switch recorded by `tipline storage migrate`.
MEDIA_STORE_RECHECK_SECONDS = env_int("TIPLINE_MEDIA_STORE_RECHECK_SECONDS", 30, minimum=0)
MATCHER_DIR = Path(env_str("TIPLINE_MATCHER_DIR", str(VAR_DIR / "matcher")))
# How often a process looks for a newer published matcher index, and how many entries may wait
# in side segments before a worker publishes a new one (media.published).
MATCHER_RELOAD_SECONDS = env_int("TIPLINE_MATCHER_RELOAD_SECONDS", 30, minimum=0)
MATCHER_REBUILD_AFTER = env_int("TIPLINE_MATCHER_REBUILD_AFTER", 50_000, minimum=1)
# /metrics: for the bearer of this token, or from these networks (loopback: an agent on the host).
METRICS_TOKEN = env_secret("TIPLINE_METRICS_TOKEN") or ""
METRICS_NETWORKS = env_list("TIPLINE_METRICS_NETWORKS", ["127.0.0.1/32", "::1/128"])
for _network in METRICS_NETWORKS:
    try:
        ipaddress.ip_network(_network)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"TIPLINE_METRICS_NETWORKS: {_exc}") from _exc
# Uploads never touch disk in plain text: the encrypting handler takes every byte.
# Every request: files are skipped unread. Views that take files install the encrypting handler
# themselves, after their rate limit (see tipline.media.uploads).
FILE_UPLOAD_HANDLERS = ["tipline.media.uploads.RefusingUploadHandler"]
# Models whose field holds a storage key: a blob none of them names is an orphan.
MEDIA_BLOB_OWNERS = [
    "reports.ReportFile.storage_key",
    "intake.IspwsFile.storage_key",
    "cases.EvidenceItem.storage_key",
    "missing.MissingPhoto.storage_key",
    "intake.ChannelMedia.storage_key",
    "travellers.Notice.photo_key",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("TIPLINE_MAX_BODY_BYTES", 10 * 1024 * 1024, minimum=1024)
PUBLIC_ATTACHMENT_MAX_BYTES = env_int("TIPLINE_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
PUBLIC_ATTACHMENT_MAX_COUNT = env_int("TIPLINE_ATTACHMENT_MAX_COUNT", 5, minimum=1)
PUBLIC_ATTACHMENT_MAX_TOTAL_BYTES = env_int(
    "TIPLINE_ATTACHMENT_MAX_TOTAL_BYTES", 50 * 1024 * 1024, minimum=1
)
API_MAX_BODY_BYTES = env_int("TIPLINE_API_MAX_BODY_BYTES", 5 * 1024 * 1024, minimum=1024)
API_BATCH_MAX = 1000
ISPWS_MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
ISPWS_MAX_FILE_BYTES = env_int("TIPLINE_ISPWS_MAX_FILE_BYTES", 4 * 1024**3, minimum=1024)
# NCMEC referral packages (intake/ncmec): what one package may unpack to, and the desk's upload.
NCMEC_MAX_FILE_BYTES = env_int("TIPLINE_NCMEC_MAX_FILE_BYTES", 4 * 1024**3, minimum=1024)
NCMEC_MAX_PACKAGE_BYTES = env_int("TIPLINE_NCMEC_MAX_PACKAGE_BYTES", 16 * 1024**3, minimum=1024)
NCMEC_MAX_MEMBERS = env_int("TIPLINE_NCMEC_MAX_MEMBERS", 20_000, minimum=1)
NCMEC_MAX_RATIO = env_int("TIPLINE_NCMEC_MAX_RATIO", 100, minimum=2)
NCMEC_UPLOAD_MAX_BYTES = env_int("TIPLINE_NCMEC_UPLOAD_MAX_BYTES", 200 * 1024**2, minimum=1024)
NCMEC_UPLOAD_MAX_COUNT = env_int("TIPLINE_NCMEC_UPLOAD_MAX_COUNT", 20, minimum=1)

RATE_LIMIT_PUBLIC_PER_HOUR = env_int("TIPLINE_RATE_PUBLIC_PER_HOUR", 20, minimum=1)
RATE_LIMIT_API_PER_MINUTE = env_int("TIPLINE_RATE_API_PER_MINUTE", 600, minimum=1)
TRUSTED_PROXY_COUNT = env_int("TIPLINE_TRUSTED_PROXIES", 0, minimum=0)

HOTLINE = "627"

SECURE_CONTENT_TYPE_NOSNIFF = True
# TLS ends at the reverse proxy, which sets X-Forwarded-Proto (and overwrites any the client
# sent). Trusted only when a proxy is declared, since otherwise a client could claim https.
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("TIPLINE_SSL_REDIRECT", not _RELAXED)
SECURE_HSTS_SECONDS = env_int("TIPLINE_HSTS_SECONDS", 0 if _RELAXED else 365 * 86400, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TIPLINE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("TIPLINE_HSTS_PRELOAD", True)
X_FRAME_OPTIONS = "DENY"
# same-origin, not no-referrer: browsers send "Origin: null" under no-referrer, failing CSRF.
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("TIPLINE_LOG_LEVEL", "INFO")},
}


def _refuse_defaults() -> None:
    """Production must never run on a development secret, demo credentials or DEBUG."""
    if _RELAXED or _SECRETLESS:
        return
    problems = []
    if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY:
        problems.append("DJANGO_SECRET_KEY is unset or the development default")
    if not TIPLINE_FIELD_KEYS or TIPLINE_FIELD_KEYS == DEV_FIELD_KEYS:
        problems.append("TIPLINE_FIELD_KEYS is unset or the development default")
    if not TIPLINE_MEDIA_KEY or TIPLINE_MEDIA_KEY == DEV_MEDIA_KEY:
        problems.append("TIPLINE_MEDIA_KEY is unset or the development default")
    if not TIPLINE_BLIND_INDEX_KEY or TIPLINE_BLIND_INDEX_KEY == DEV_BLIND_INDEX_KEY:
        problems.append("TIPLINE_BLIND_INDEX_KEY is unset or the development default")
    if (
        not TIPLINE_EVIDENCE_SIGNING_KEYS
        or TIPLINE_EVIDENCE_SIGNING_KEYS == DEV_EVIDENCE_SIGNING_KEYS
    ):
        problems.append("TIPLINE_EVIDENCE_SIGNING_KEYS is unset or the development default")
    if problems:
        raise ImproperlyConfigured(
            "Refusing to start in production: "
            + "; ".join(problems)
            + ". Set the variables named (README, Production), or TIPLINE_DEMO=1 for demo data."
        )


_refuse_defaults()
