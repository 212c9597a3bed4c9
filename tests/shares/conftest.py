import pytest


@pytest.fixture(autouse=True)
def _fast(fast_hashing):  # type: ignore[no-untyped-def]
    """Dozens of password checks: the fast hasher, before the personas are made."""


@pytest.fixture
def dav_server(transactional_db, settings):  # type: ignore[no-untyped-def]
    """The portal's WSGI application as gunicorn serves it (``anemone.wsgi``: /dav/ to WsgiDAV, the rest to
    Django), on 127.0.0.1 in a thread of this process so it shares the test database; WebDAV turned on.
    Yields the base URL."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connections
    from django.test.testcases import LiveServerThread

    from anemone.shares import services
    from anemone.shares.dav import Dispatcher

    services.configure(webdav=True)
    shared = {conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite" and conn.is_in_memory_db()}
    thread = LiveServerThread("127.0.0.1", lambda app: Dispatcher(StaticFilesHandler(app)),
                              connections_override=shared, port=0)
    thread.daemon = True
    for conn in shared.values():
        conn.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()
