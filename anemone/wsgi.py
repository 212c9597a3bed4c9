"""WSGI entry point (gunicorn): private files whatever the umask gunicorn was started with."""

import os

from django.core.wsgi import get_wsgi_application

os.umask(0o077)  # as in manage.py: the database, uploads and keys are the service account's only

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anemone.settings")
application = get_wsgi_application()
