"""WSGI entry point (gunicorn, test servers): private files whatever the umask gunicorn was started with;
WebDAV at /dav/ beside the portal."""

import os

from django.core.wsgi import get_wsgi_application

os.umask(0o077)  # as in manage.py: the database, uploads and keys are the service account's only

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anemone.settings")
django_application = get_wsgi_application()

from anemone.shares.dav import Dispatcher  # noqa: E402 - needs the apps loaded by get_wsgi_application()

application = Dispatcher(django_application)  # /dav/ to WsgiDAV, the rest to Django
