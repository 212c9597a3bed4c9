"""WebDAV locks (class 2) every gunicorn worker sees: WsgiDAV's lock-storage interface on the ``DavLock``
table, with the live locks read once per request (WsgiDAV asks about the target and each parent)."""

from __future__ import annotations

import base64
import json
import threading
import time

from wsgidav.lock_man.lock_manager import generate_lock_token, normalize_lock_root, validate_lock
from wsgidav.lock_man.lock_storage import LockStorageDict

from anemone.shares.models import DavLock


def _encode(lock: dict) -> str:
    return json.dumps({k: ({"__bytes__": base64.b64encode(v).decode()} if isinstance(v, bytes) else v)
                       for k, v in lock.items()})


def _decode(text: str) -> dict:
    return {k: (base64.b64decode(v["__bytes__"]) if isinstance(v, dict) and "__bytes__" in v else v)
            for k, v in json.loads(text).items()}


class DatabaseLockStorage(LockStorageDict):
    """WsgiDAV's lock-storage interface on the ``DavLock`` table: one lock list for every gunicorn worker
    (WsgiDAV's own storage is a dict per process, and its shelve file is not safe for several writers)."""

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def cleanup(self) -> None:
        DavLock.objects.filter(expire__lt=time.time()).delete()
        forget_request_locks()

    def clear(self) -> None:
        DavLock.objects.all().delete()
        forget_request_locks()

    def get(self, token: str) -> dict | None:
        row = DavLock.objects.filter(token=token).first()
        if row is None:
            return None
        if row.expire < time.time():
            row.delete()
            forget_request_locks()
            return None
        return _decode(row.data)

    def create(self, path: str, lock: dict) -> dict:
        root = normalize_lock_root(path)
        timeout = float(lock.get("timeout") or self.LOCK_TIME_OUT_DEFAULT)
        if timeout < 0 or timeout > self.LOCK_TIME_OUT_MAX:
            timeout = self.LOCK_TIME_OUT_MAX
        lock.update(root=root, timeout=timeout, expire=time.time() + timeout, token=generate_lock_token())
        validate_lock(lock)
        DavLock.objects.create(token=lock["token"], root=root, expire=lock["expire"], data=_encode(lock))
        forget_request_locks()
        return lock

    def refresh(self, token: str, *, timeout: float) -> dict:
        lock = self.get(token)
        if lock is None:
            raise ValueError("Lock must exist")
        if timeout < 0 or timeout > self.LOCK_TIME_OUT_MAX:
            timeout = self.LOCK_TIME_OUT_MAX
        lock.update(timeout=timeout, expire=time.time() + timeout)
        DavLock.objects.filter(token=token).update(expire=lock["expire"], data=_encode(lock))
        forget_request_locks()
        return lock

    def delete(self, token: str) -> bool:
        deleted, _detail = DavLock.objects.filter(token=token).delete()
        forget_request_locks()
        return bool(deleted)

    def get_lock_list(self, path: str, *, include_root: bool, include_children: bool, token_only: bool) -> list:
        """WsgiDAV asks this for the target and each of its parents (about ten times per PUT): the live locks
        are read once per request (``_live_locks``) and filtered here."""
        root = normalize_lock_root(path)
        children = root.rstrip("/") + "/"
        return [lock["token"] if token_only else lock for lock in _live_locks()
                if (include_root and lock["root"] == root) or (include_children and lock["root"].startswith(children))]


_request_locks = threading.local()


def _live_locks() -> list[dict]:
    """The live locks, read at the first question of a request; any change of a lock forgets them."""
    cached = getattr(_request_locks, "locks", None)
    if cached is None:
        cached = [_decode(row.data) for row in DavLock.objects.filter(expire__gte=time.time())]
        _request_locks.locks = cached
    return cached


def forget_request_locks() -> None:
    _request_locks.locks = None
