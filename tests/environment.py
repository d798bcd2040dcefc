"""Loaded by pytest before Django (``-p tests.environment``): a test-only environment.

Production settings refuse to start without a SECRET_KEY; the tests run the
production settings (DEBUG off) with a throwaway key.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else")
os.environ.setdefault("DEBUG", "0")
# The test client and the live server speak plain HTTP; the HTTPS settings
# themselves are tested in tests/test_deployment.py.
os.environ.setdefault("HTTPS_ONLY", "0")
# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
