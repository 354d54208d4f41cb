"""Test settings: Shelfmark's own, with what only tests need. Worker processes the tests start use
them too (they inherit DJANGO_SETTINGS_MODULE and these variables)."""

import os

os.environ.setdefault("SECRET_KEY", "shelfmark-tests-only-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("THROTTLE_USER", "100000/minute")  # the role matrix asks hundreds of times
os.environ.setdefault("THROTTLE_ANON", "100000/minute")

from shelfmark.settings import *  # noqa: E402, F403

DEBUG = False
SHELFMARK_ANONYMOUS_READ = False  # whatever var/shelfmark.env says: tests that need it turn it on
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins; tests only
