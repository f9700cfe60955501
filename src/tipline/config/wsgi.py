"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tipline.config.settings")
application = get_wsgi_application()

from tipline.accounts.checks import refuse_demo_credentials  # noqa: E402  # needs apps loaded

refuse_demo_credentials()
