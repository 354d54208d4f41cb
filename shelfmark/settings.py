"""Shelfmark settings: every value comes from the environment, with embedded defaults.

Embedded default (nothing to install): SQLite, the SQLite FTS5 search backend and a
filesystem Celery broker under ``SHELFMARK_VAR``. Scale-out: set ``DATABASE_URL``,
``REDIS_URL`` and ``ELASTICSEARCH_URL``. Variables missing from the environment are read from
``SHELFMARK_VAR/shelfmark.env`` (``NAME=value`` lines) where it exists; ``bin/demo`` writes one.

Safe by default: ``DEBUG`` is off unless set, and with it off Shelfmark refuses to start without
``SECRET_KEY`` and ``ALLOWED_HOSTS``. Behind a TLS proxy set ``SHELFMARK_HTTPS=1``.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHELFMARK_VAR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def read_env_file(path: Path) -> None:
    """Set the variables of a ``NAME=value`` file that the environment does not set already."""
    if path.is_file():
        for line in path.read_text().splitlines():
            name, equals, value = line.partition("=")
            if equals and not name.lstrip().startswith("#"):
                os.environ.setdefault(name.strip(), value.strip())


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable ("1", "true", "yes" are true)."""
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


read_env_file(VAR_DIR / "shelfmark.env")
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "shelfmark-debug-only-never-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
elif not SECRET_KEY or not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DEBUG is off: set SECRET_KEY and ALLOWED_HOSTS (environment or SHELFMARK_VAR/shelfmark.env)"
    )
# Anonymous visitors may browse, search and read (the reader role) only when this is on.
SHELFMARK_ANONYMOUS_READ = env_bool("SHELFMARK_ANONYMOUS_READ", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # From the bottom floor up: each app imports only those listed before it (tests/test_layers.py).
    "accounts",
    "taxonomy",
    "library",
    "ingest",
    "classifier",
    "search",
    "jobs",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "web.upload_limit.UploadLimitMiddleware",  # before the CSRF check, which reads a form's body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shelfmark.urls"
WSGI_APPLICATION = "shelfmark.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context.access",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{VAR_DIR / 'shelfmark.sqlite3'}", conn_max_age=60)
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web, CLI and workers write to one file: wait for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file (not memory) so that test workers can share it; one per run so runs never collide.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-shelfmark-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("SHELFMARK_STATIC", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("SHELFMARK_MEDIA", VAR_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads stream to a temporary file

# Security: deny by default (each view names its roles, web/access.py), sessions for the browser
# with CSRF, tokens for scripts; behind a TLS-terminating proxy, secure cookies and HSTS.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
if env_bool("SHELFMARK_HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 365 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",  # first: a missing token answers 401
        "rest_framework.authentication.SessionAuthentication",  # the browser's, CSRF enforced
    ],
    "DEFAULT_PERMISSION_CLASSES": ["web.access.Nobody"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "120/minute"),
        "user": os.environ.get("THROTTLE_USER", "1200/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shelfmark API",
    "DESCRIPTION": "Taxonomies, documents, ingest jobs and search over classified documents.",
    "VERSION": "0.1.0",
    "SERVE_PERMISSIONS": ["web.access.Readers"],
    "SWAGGER_UI_DIST": "SIDECAR",  # served by Shelfmark itself, not from a CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Job and upload states share the field name "state": each keeps a stable component name.
    "ENUM_NAME_OVERRIDES": {
        "StateEnum": "jobs.models.IngestJob.State",
        "UploadStateEnum": "jobs.models.Upload.State",
    },
}

# Celery: Redis when REDIS_URL is set, else a filesystem broker that needs no server.
REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache holds throttling counts: shared by every web process through Redis when there is one.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
BROKER_DIR = Path(os.environ.get("SHELFMARK_BROKER_DIR", VAR_DIR / "broker"))
# Redis gives a message a worker took but never acknowledged (it died) to another worker after
# this many seconds; it must exceed the longest task and the longest retry wait.
CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 3600))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "shelfmark.broker:Transport"
    BROKER_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR),
        "data_folder_out": str(BROKER_DIR),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.05,
    }
CELERY_TASK_IGNORE_RESULT = True
# Sending rides over a broker that is away for a few seconds; longer, and lost work is queued
# again by the workers' stalled-jobs look (INGEST_STALL_TIMEOUT_S).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 6,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TASK_ACKS_LATE = True
# A task whose pool process died under it is queued again, the death counted in its message, and
# given up after INGEST_POISON_MAX_DEATHS (shelfmark/poison.py).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# The worker loop used with the filesystem broker acknowledges finished tasks only every 2 s, and
# takes no new message until then: reserving a few ahead keeps its processes busy. With Redis,
# one at a time spreads the work fairly over workers.
CELERY_WORKER_PREFETCH_MULTIPLIER = int(os.environ.get("WORKER_PREFETCH_MULTIPLIER", 1 if REDIS_URL else 4))
CELERY_WORKER_CONCURRENCY = int(os.environ.get("WORKER_CONCURRENCY", 2))
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 120  # a new process may export the encoder to ONNX first
# A process whose peak passes 1 GiB is replaced after its task (onnx-fp32 workers peak near 540 MiB).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(os.environ.get("WORKER_MAX_MEMORY_KB", 1_048_576))
# The hard cap the kernel enforces on each pool process's writable memory (RLIMIT_DATA), so that
# one task can never take the machine: past it an allocation fails (the task fails out of memory,
# or the process dies and is replaced). The worker's main process is never capped. 0: no cap.
# Measured peaks (bench/worker_memory.py): a pool process near 510 MiB with onnx-fp32, 960 MiB
# with torch-fp32; the ONNX export it may start, near 980 MiB.
WORKER_MEMORY_CAP_MB = int(os.environ.get("WORKER_MEMORY_CAP_MB", 2048))
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_DEFAULT_QUEUE = "ingest"
CELERY_TASK_ROUTES = {
    "jobs.classify_batch": {"queue": "classify"},
    "jobs.*": {"queue": "ingest"},
    "search.*": {"queue": "index"},
}

# Pipeline
INGEST_BATCH_SIZE = int(os.environ.get("INGEST_BATCH_SIZE", 64))
# Parsing pauses while this many of a job's batches are on their way through classify and index.
INGEST_MAX_PENDING_BATCHES = int(os.environ.get("INGEST_MAX_PENDING_BATCHES", 8))
INGEST_TASK_MAX_RETRIES = int(os.environ.get("INGEST_TASK_MAX_RETRIES", 8))  # on transient errors
INGEST_RETRY_BACKOFF_MAX_S = int(os.environ.get("INGEST_RETRY_BACKOFF_MAX_S", 120))
# Every worker looks this often for work of open jobs that made no progress for the stall timeout
# (lost with a killed worker or a broker restart) and queues it again.
INGEST_WATCHDOG_INTERVAL_S = float(os.environ.get("INGEST_WATCHDOG_INTERVAL_S", 60))
INGEST_STALL_TIMEOUT_S = float(os.environ.get("INGEST_STALL_TIMEOUT_S", 600))
INGEST_BATCH_MAX_DISPATCHES = int(os.environ.get("INGEST_BATCH_MAX_DISPATCHES", 5))
# A task whose worker process died under it this many times (a poison task) is failed for good:
# its batch fails saying so and the job goes on, or a turn of parsing fails its job. 0: never.
INGEST_POISON_MAX_DEATHS = int(os.environ.get("INGEST_POISON_MAX_DEATHS", 2))
# Uploads: the largest file taken (whole or resumable), and how long an unfinished resumable
# upload may go without a chunk before it is discarded (workers look every watchdog interval).
INGEST_UPLOAD_MAX_BYTES = int(os.environ.get("INGEST_UPLOAD_MAX_BYTES", 10 * 1024**3))
INGEST_UPLOAD_STALE_AFTER_S = float(os.environ.get("INGEST_UPLOAD_STALE_AFTER_S", 24 * 3600))
# A request sending a chunk holds its upload; a hold not renewed this long (the request died) lapses.
INGEST_UPLOAD_WRITER_TIMEOUT_S = float(os.environ.get("INGEST_UPLOAD_WRITER_TIMEOUT_S", 120))
# Quotas of unfinished resumable uploads: per user, and the bytes all of them declare together.
INGEST_UPLOAD_MAX_OPEN_PER_USER = int(os.environ.get("INGEST_UPLOAD_MAX_OPEN_PER_USER", 5))
INGEST_UPLOAD_MAX_OPEN_BYTES = int(
    os.environ.get("INGEST_UPLOAD_MAX_OPEN_BYTES", 4 * INGEST_UPLOAD_MAX_BYTES)
)
# Parsing: what one input may hold in memory (a line, an entry, a PDF), what an archive may expand
# to in all, and how far a compressed layer may expand (ingest/parsers/limits.py).
INGEST_MAX_MEMBER_BYTES = int(os.environ.get("INGEST_MAX_MEMBER_BYTES", 200 * 1024**2))
INGEST_MAX_ARCHIVE_BYTES = int(os.environ.get("INGEST_MAX_ARCHIVE_BYTES", 4 * 1024**3))
INGEST_MAX_COMPRESSION_RATIO = int(os.environ.get("INGEST_MAX_COMPRESSION_RATIO", 100))
# How deep a record may nest (JSON objects and arrays, metadata; 200 at most); deeper records fail alone.
INGEST_MAX_NESTING = int(os.environ.get("INGEST_MAX_NESTING", 32))
# A record's fields: a longer title or abstract, or larger metadata (as JSON), fails the record; a
# longer full text is cut, with a warning (the classifier reads its first few thousand words only).
INGEST_MAX_TITLE_CHARS = int(os.environ.get("INGEST_MAX_TITLE_CHARS", 2_000))
INGEST_MAX_ABSTRACT_CHARS = int(os.environ.get("INGEST_MAX_ABSTRACT_CHARS", 100_000))
INGEST_MAX_METADATA_BYTES = int(os.environ.get("INGEST_MAX_METADATA_BYTES", 64 * 1024))
INGEST_MAX_FULL_TEXT_CHARS = int(os.environ.get("INGEST_MAX_FULL_TEXT_CHARS", 2_000_000))
# An uploaded file is removed when its job is over, or this many seconds later (the workers look
# every watchdog interval). Files named to `manage.py ingest` are the operator's: never removed.
INGEST_KEEP_SOURCES_S = float(os.environ.get("INGEST_KEEP_SOURCES_S", 0))

# Classifier
CLASSIFIER_ENCODER = os.environ.get("CLASSIFIER_ENCODER", "onnx-fp32")
CLASSIFIER_TOP_K = int(os.environ.get("CLASSIFIER_TOP_K", 3))
# The least cosine similarity a zero-shot subject needs to be stored: the best micro-F1 on the
# validation split of the arXiv train file (bench/suggestion_floor.py)
CLASSIFIER_SUGGESTION_FLOOR = float(os.environ.get("CLASSIFIER_SUGGESTION_FLOOR", 0.15))
CLASSIFIER_BEAM_WIDTH = int(os.environ.get("CLASSIFIER_BEAM_WIDTH", 8))
CLASSIFIER_CACHE_DIR = Path(os.environ.get("CLASSIFIER_CACHE_DIR", VAR_DIR / "cache"))
CLASSIFIER_MODEL_DIR = Path(os.environ.get("CLASSIFIER_MODEL_DIR", VAR_DIR / "models"))
ENCODER_THREADS = int(os.environ.get("ENCODER_THREADS", 0))  # 0: the worker's share of cores
# An explanation (document page, API) encodes, inside the request, at most this many sentences: the
# title and the abstract's first, read from its first CLASSIFIER_EXPLAIN_MAX_CHARS characters.
CLASSIFIER_EXPLAIN_MAX_SENTENCES = int(os.environ.get("CLASSIFIER_EXPLAIN_MAX_SENTENCES", 16))
CLASSIFIER_EXPLAIN_MAX_CHARS = int(os.environ.get("CLASSIFIER_EXPLAIN_MAX_CHARS", 10_000))

# Review queue order (library/usefulness.py): the zero-shot similarity that counts as even odds, where
# zero-shot suggestions were right half the time on the arXiv train file's validation split (0.438 on
# 1,500 papers, bench/suggestion_floor.py); and how many days back a corpus's documents are recent.
REVIEW_EVEN_SIMILARITY = float(os.environ.get("REVIEW_EVEN_SIMILARITY", 0.44))
REVIEW_RECENT_DAYS = float(os.environ.get("REVIEW_RECENT_DAYS", 7))

# Search: "embedded" (SQLite FTS5, no server) or "elasticsearch".
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "elasticsearch" if ELASTICSEARCH_URL else "embedded")
SEARCH_INDEX = os.environ.get("SEARCH_INDEX", "shelfmark-documents")
SEARCH_EMBEDDED_PATH = Path(os.environ.get("SEARCH_EMBEDDED_PATH", VAR_DIR / "search.sqlite3"))
# Bounds that keep every search cheap: longer queries, or more different words, are refused (400);
# page numbers reach the first SEARCH_MAX_WINDOW hits (Elasticsearch's max_result_window), a cursor
# the rest; the index holds at most SEARCH_MAX_INDEXED_CHARS of a title and of an abstract.
SEARCH_MAX_QUERY_CHARS = int(os.environ.get("SEARCH_MAX_QUERY_CHARS", 500))
SEARCH_MAX_QUERY_TERMS = int(os.environ.get("SEARCH_MAX_QUERY_TERMS", 32))
SEARCH_MAX_WINDOW = int(os.environ.get("SEARCH_MAX_WINDOW", 10_000))
SEARCH_MAX_INDEXED_CHARS = int(os.environ.get("SEARCH_MAX_INDEXED_CHARS", 20_000))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"matplotlib": {"level": "WARNING"}},
}
