"""Settings for CME Tracker.

Everything that differs between a laptop, CI and a council's server comes from the environment:
DATABASE_URL (PostgreSQL; SQLite under CME_DATA_DIR when unset), CME_SECRET_KEY, CME_DEBUG,
CME_ALLOWED_HOSTS, CME_REQUIRE_2FA.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CME_DATA_DIR", Path.cwd() / "var")).resolve()
# Matching models (`cme matching-train`), one folder per authority; the newest file is in use.
CME_MATCHING_MODEL_DIR = Path(os.environ.get("CME_MATCHING_MODEL_DIR", DATA_DIR / "matching"))
# A roll's pupil no UPN links is linked to a register child by matching at this probability or
# more (with no rival), put to an officer from CME_ROLL_LINK_ASK, and made a new child below it.
CME_ROLL_LINK_AUTO = float(os.environ.get("CME_ROLL_LINK_AUTO", "0.99"))
CME_ROLL_LINK_ASK = float(os.environ.get("CME_ROLL_LINK_ASK", "0.2"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("CME_DEBUG", False)
# Demo mode (make demo): fictional data may be loaded (`cme demo-data` refuses otherwise).
CME_DEMO = env_bool("CME_DEMO", False)
# A fixed key is only acceptable where nothing real is stored: tests and the demo. Elsewhere it
# must come from the environment; left empty, Django refuses at the first use of the key (signing
# a session or a form), while commands that need none (cme link, cme screen) still run.
SECRET_KEY = os.environ.get("CME_SECRET_KEY") or (
    "insecure-development-key-do-not-use-in-production"
    if DEBUG or CME_DEMO or os.environ.get("PYTEST_VERSION")
    else ""
)

ALLOWED_HOSTS = os.environ.get("CME_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "simple_history",
    "django_tasks_db",
    "cme.core",
    "cme.accounts",
    "cme.providers",
    "cme.people",
    "cme.intake",
    "cme.cases",
    "cme.audit",
    "cme.api",
    "cme.attendance",
    "cme.matching",
    "cme.movements",
    "cme.identify",
    "cme.tracking",
    "cme.handoffs",
    "cme.places",
    "cme.reports",
    "cme.dataprotection",
    "cme.demo",
]

MIDDLEWARE = [
    "cme.core.headers.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files carry the content security policy too.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cme.accounts.middleware.SessionIdleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "cme.api.errors.JsonErrorsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cme.audit.context.AuditOriginMiddleware",
    "cme.accounts.middleware.SignInRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cme.urls"
WSGI_APPLICATION = "cme.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [PACKAGE_DIR / "core" / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "cme.core.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.messages.context_processors.messages",
                "cme.accounts.context_processors.service",
            ],
        },
    },
    {
        # Kept for third-party pages we never show to users (none today); Jinja2 comes first.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL")
if DATABASE_URL:
    # Health checks: a connection broken by a database restart is replaced at the next request,
    # so the service recovers by itself (core.views.database_unavailable answers the one that fails).
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool("CME_PG_SERVER_SIDE_BINDING", True):
        # Bind parameters on the server, so that psycopg prepares the statements a connection
        # runs again and again (every page asks the same few questions) and PostgreSQL stops
        # planning them afresh each time. Turn off behind a transaction-pooling PgBouncer.
        DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and not env_bool("CME_PG_JIT", False):
        # No JIT compilation: PostgreSQL compiles any query it costs above 100,000 (a count over
        # an authority's 250,000 children), which took 170 ms of CPU to save a few on a 60 ms
        # query, for every officer's search. Case work is many short queries, not analytics.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "cme.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one
                # failing with "database is locked" when it upgrades a read lock.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "cme.accounts.backends.UserBackend",
]
if os.environ.get("PYTEST_VERSION"):
    # Tests make hundreds of users; the deliberately slow default hasher would double the run.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if os.environ.get("PYTEST_VERSION"):
    # Tests create many users; a deliberately slow hasher there only slows the suite.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "reports:home"

# Sessions: an officer who walks away is signed out after 30 minutes idle, and at browser close.
SESSION_COOKIE_AGE = int(os.environ.get("CME_SESSION_IDLE_SECONDS", 30 * 60))
# Refreshed at most once a minute by SessionIdleMiddleware, not saved on every request.
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# In the database, as Django's own engine keeps them; read with one plain query (every request).
SESSION_ENGINE = "cme.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("CME_SECURE_COOKIES", not DEBUG and not CME_DEMO)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# HTTPS (docs/deploying.md). In production every request is redirected to HTTPS and browsers are
# told to keep to it for a year (HSTS). Where TLS ends in front of the service (a load balancer or
# reverse proxy), set CME_TLS_ENDS_IN_FRONT=1: the proxy's X-Forwarded-Proto then says whether the
# request came over HTTPS (only trust it when every request passes through that proxy), and the
# redirect and HSTS still apply. The demo and development serve plain HTTP on this machine.
_HTTPS = env_bool("CME_HTTPS", not DEBUG and not CME_DEMO and not os.environ.get("PYTEST_VERSION"))
SECURE_SSL_REDIRECT = _HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("CME_HSTS_SECONDS", 31_536_000)) if _HTTPS else 0
# includeSubDomains covers only names under the service's own (*.cme.council.gov.uk), not the
# council's other sites; preload has effect only if the council lists its domain with browsers.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CME_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("CME_HSTS_PRELOAD", True)
if env_bool("CME_TLS_ENDS_IN_FRONT", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The load balancer's health check comes over plain HTTP from inside: no redirect for it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Sign-in throttling (django-axes, cme.accounts.lockout): an account is locked after 5 failures
# from any addresses, and an address after 20 failures on any accounts (higher, so that one
# office's mistyped passwords do not lock everyone behind its address), each for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("CME_SIGNIN_FAILURE_LIMIT", 5))
CME_SIGNIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("CME_SIGNIN_ADDRESS_FAILURE_LIMIT", 20))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "cme.accounts.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cme.accounts.views.locked_out"
AXES_VERBOSE = False

# Two-factor sign-in (TOTP) for LA staff. The demo switches it off so people can look around.
CME_REQUIRE_2FA = env_bool("CME_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "CME Tracker"

# Content Security Policy (Django's own): scripts only from here and with the page's nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
}

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns at start-up when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve vendored assets straight from the package, no collectstatic

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cme_cache",
    },
    # Per-process, for things every page asks for and a minute's staleness does not harm.
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "cme-local",
        "TIMEOUT": 60,
    },
}
RATELIMIT_USE_CACHE = "default"
# Public referral form: at most this many submissions per address per hour (flood protection).
# Requests per API token (django-ninja's throttle: "N/s", "N/m", "N/h"); past it, 429 with
# Retry-After. An integration sending a day's referrals stays far below it.
CME_API_RATE = os.environ.get("CME_API_RATE", "600/m")
# The retention schedule (cme.dataprotection): a TOML file; empty, the one shipped with the service
# (src/cme/dataprotection/retention.toml), whose periods other than the registers' 6 years are
# [unverified: configurable]: a council sets its own here (docs/data-protection.md).
CME_RETENTION_SCHEDULE = os.environ.get("CME_RETENTION_SCHEDULE", "")
CME_PUBLIC_REFERRAL_RATE = os.environ.get("CME_PUBLIC_REFERRAL_RATE", "10/h")
# A person takes longer than this to fill the public form; a robot usually does not.
CME_PUBLIC_REFERRAL_MIN_SECONDS = int(os.environ.get("CME_PUBLIC_REFERRAL_MIN_SECONDS", 3))
# The visitor's address, for the audit trail, flood limits and sign-in lock-out alike, is decided
# by one function (cme.core.client). Behind reverse proxies, name the header they write (for
# example HTTP_X_FORWARDED_FOR) and how many proxies there are, or every visitor shares one
# address.
CME_CLIENT_IP_HEADER = os.environ.get("CME_CLIENT_IP_HEADER", "")
CME_TRUSTED_PROXIES = int(os.environ.get("CME_TRUSTED_PROXIES", 1))
RATELIMIT_IP_META_KEY = "cme.core.client.ratelimit_address"
AXES_CLIENT_IP_CALLABLE = "cme.core.client.client_address"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# E-mail: SMTP in production (CME_SMTP_HOST, _PORT, _USERNAME, _PASSWORD; STARTTLS unless
# CME_SMTP_STARTTLS=0); the console in the demo and in development. CME_EMAIL_BACKEND overrides.
_SMTP = "django.core.mail.backends.smtp.EmailBackend"
_CONSOLE = "django.core.mail.backends.console.EmailBackend"
_MAIL_BACKEND = os.environ.get("CME_EMAIL_BACKEND") or (_CONSOLE if DEBUG or CME_DEMO else _SMTP)
MAILERS = {
    "default": {
        "BACKEND": _MAIL_BACKEND,
        "OPTIONS": {
            "host": os.environ.get("CME_SMTP_HOST", "localhost"),
            "port": int(os.environ.get("CME_SMTP_PORT", 587)),
            "username": os.environ.get("CME_SMTP_USERNAME", ""),
            "password": os.environ.get("CME_SMTP_PASSWORD", ""),
            "use_tls": env_bool("CME_SMTP_STARTTLS", True),
            "timeout": 30,
        } if _MAIL_BACKEND == _SMTP else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("CME_FROM_EMAIL", "cme-tracker@localhost")
# Attach the child's CTF to the e-mail hand-off to another authority with no CME Tracker. Off by
# default: ordinary e-mail is no place for a child's record (issue 9); turn it on only where the
# council's mail to other councils is secured end to end. Off, the CTF goes by School to School.
CME_OTHER_LA_CTF_BY_EMAIL = env_bool("CME_OTHER_LA_CTF_BY_EMAIL", False)
# Authority-to-authority hand-offs (docs/adr/0017): keys and peers from the JSON file named by the
# environment variable CME_HANDOFF_CONFIG. The demo hosts Northmoor and Eastdale as each other's
# peer on one server, with keys `cme demo-data` writes under the data directory.
CME_HANDOFF_CONFIG = str(DATA_DIR / "handoff-demo.json") if CME_DEMO else ""

# Case work (issue 5). The clocks on a case (data/clocks.toml documents the format); the address
# links in e-mails start with; and who is told at once when a child known to children's social
# care goes missing, as JSON {"<LA code or *>": {"social_care": [...], "police": [...]}}. Partner
# agencies of the authority whose names say Police or Social Care are told too, at their contact
# e-mail.
CME_CLOCKS_FILE = Path(os.environ.get("CME_CLOCKS_FILE", PACKAGE_DIR / "cases" / "data" / "clocks.toml"))
# Places (cme.places): a places figure older than this many days is marked stale; attendance at a
# new provider is watched for this many school days before the case may close "in provision".
CME_PLACES_STALE_DAYS = int(os.environ.get("CME_PLACES_STALE_DAYS", "30"))
CME_WATCH_SCHOOL_DAYS = int(os.environ.get("CME_WATCH_SCHOOL_DAYS", "20"))
CME_BASE_URL = os.environ.get("CME_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CME_ESCALATION_EMAILS = json.loads(os.environ.get("CME_ESCALATION_EMAILS", "{}"))
# E-mails are sent by the task queue (cme.core.mail): attempts before one is marked not delivered.
CME_EMAIL_MAX_ATTEMPTS = int(os.environ.get("CME_EMAIL_MAX_ATTEMPTS", "5"))
# At-risk screening rules: one file for every authority, or JSON mapping LA code to file; the
# shipped rules (src/cme/attendance/data/rules.toml) when unset.
_screening_rules = os.environ.get("CME_SCREENING_RULES", "")
CME_SCREENING_RULES = (json.loads(_screening_rules) if _screening_rules.lstrip().startswith("{")
                       else _screening_rules or None)
# Whether a manager approves needs assessments, and closures made by officers (the LA decides).
CME_NEEDS_APPROVAL = env_bool("CME_NEEDS_APPROVAL", False)
CME_CLOSURE_APPROVAL = env_bool("CME_CLOSURE_APPROVAL", False)

# Largest JSON body the API accepts; larger bodies are refused with 422 before parsing.
CME_API_MAX_BODY_BYTES = int(os.environ.get("CME_API_MAX_BODY_BYTES", 64 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Roles that may see restricted detail (child-protection detail, refuge addresses). A council sets
# this by its own information-sharing agreement; the default is the CME officer, key worker and
# manager.
CME_RESTRICTED_ROLES = tuple(
    os.environ.get("CME_RESTRICTED_ROLES", "cme_officer,ewo,manager").split(",")
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CME_LOG_LEVEL", "WARNING")},
}
