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


@pytest.fixture
def smb_server(transactional_db, settings, master_key):  # type: ignore[no-untyped-def]
    """``serve_smb``'s supervisor in a thread of this process (it shares the test database), running a real
    smbd on a free port of 127.0.0.1, SMB turned on. Yields (supervisor, port); stops smbd, checks it is gone
    and that its runtime folder (sockets, under the temp dir) is removed."""
    import threading

    from django.db import connections

    from anemone.engines import proc
    from anemone.engines.samba import wait_listening
    from anemone.shares import samba, services
    from anemone.shares.smb_server import SmbServer
    from tests.fixtures.sshd import free_port

    port = free_port()
    services.configure(smb=True)
    shared = {conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite" and conn.is_in_memory_db()}
    for conn in shared.values():
        conn.inc_thread_sharing()
    server = SmbServer(listen=f"127.0.0.1:{port}", poll=0.5, settle=0.5)

    def run() -> None:
        for alias, conn in shared.items():
            connections[alias] = conn
        server.run()

    thread = threading.Thread(target=run, name="serve_smb", daemon=True)
    thread.start()
    try:
        assert wait_listening("127.0.0.1", port, timeout=30), server.error or list(server.log_tail)
        yield server, port
    finally:
        smbd = server.process
        server.stop.set()
        thread.join(timeout=30)
        for conn in shared.values():
            conn.dec_thread_sharing()
        assert smbd is None or smbd.poll() is not None or not proc.pid_alive(smbd.pid)
        assert not samba.layout().runtime.exists()
