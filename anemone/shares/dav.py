"""WebDAV at ``/dav/<username>/backup|data/``: WsgiDAV (class 1 and 2) over a provider of our own.

WsgiDAV speaks the protocol (PROPFIND, LOCK, MOVE…, litmus-tested); every file decision is ours, through
the same code as the portal's file browser:

- paths go through ``anemone.files.paths`` (``resolve``, ``resolve_entry``; ``validate_name`` for every new
  name: a name the portal would refuse is refused with 403, never mangled); symlinks are neither listed nor
  followed; our temporary upload files are hidden;
- a PUT is written to a temp file in the same folder and renamed into place only when complete and within
  the quota (507 Insufficient Storage otherwise, nothing left behind); usage counters follow every write,
  copy, move and delete;
- DELETE (and an overwrite by MOVE/COPY) moves to the person's trash (``anemone.files.trash``);
- ``/dav/`` lists only the caller's own folder; another person's folder is 403;
- locks live in the database (``anemone.shares.dav_locks``), so every gunicorn worker sees the same locks.

Logins: Basic over device passwords only, through ``anemone.shares.services.authenticate`` (the one login
throttle), checked on every request so a revoked password or a person whose shares were switched off is
refused at once. No Digest: it needs the plain secret on the server.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
from typing import TYPE_CHECKING

from django.core.handlers.wsgi import WSGIRequest
from django.db import close_old_connections
from wsgidav import util
from wsgidav.dav_error import HTTP_FORBIDDEN, HTTP_INSUFFICIENT_STORAGE, DAVError
from wsgidav.dav_provider import DAVCollection, DAVProvider
from wsgidav.dc.base_dc import BaseDomainController
from wsgidav.fs_dav_provider import FileResource, FolderResource
from wsgidav.wsgidav_app import WsgiDAVApp

from anemone.accounts.models import User
from anemone.files import paths, trash
from anemone.files.paths import PathRefused
from anemone.files.services import TEMP_PREFIX
from anemone.files.usage import QuotaExceeded, change_usage, check_quota, tree_size
from anemone.shares import services
from anemone.shares.dav_locks import DatabaseLockStorage, forget_request_locks
from anemone.shares.models import ShareSettings

MOUNT = "/dav"
USER_KEY = "anemone.user"


# --- who is asking -----------------------------------------------------------------------------------

class DevicePasswordController(BaseDomainController):
    """Basic auth over device passwords, through the login throttle; the person is put in the environ."""

    def get_domain_realm(self, path_info: str, environ: dict) -> str:
        return "Anemone"

    def require_authentication(self, realm: str, environ: dict) -> bool:
        return True

    def supports_http_digest_auth(self) -> bool:
        return False

    def basic_auth_user(self, realm: str, user_name: str, password: str, environ: dict) -> bool:
        # The throttle's request never reads the body: WsgiDAV streams it to the file afterwards.
        request = WSGIRequest({**environ, "wsgi.input": io.BytesIO(), "CONTENT_LENGTH": "0", "SCRIPT_NAME": "",
                               "PATH_INFO": MOUNT + "/"})
        try:
            row = services.authenticate(request, "webdav", user_name, password)
        except services.DeviceLoginLocked:
            raise DAVError(429, "Too many failed logins for this name from this device: wait and try again.") \
                from None
        if row is None:
            return False
        environ[USER_KEY] = row.user
        return True


def person(environ: dict) -> User:
    user = environ.get(USER_KEY)
    if user is None:
        raise DAVError(HTTP_FORBIDDEN)
    return user


# --- where: /<username>/<area>/<relative path> ---------------------------------------------------------

def split_path(path: str) -> tuple[str, str | None, str]:
    parts = [p for p in path.split("/") if p]
    if not parts:
        return "", None, ""
    return parts[0], parts[1] if len(parts) > 1 else None, "/".join(parts[2:])


def refuse(error: Exception) -> DAVError:
    return DAVError(HTTP_FORBIDDEN, str(error))


class Root(DAVCollection):
    """``/dav/``: the caller's own folder only (never another username)."""

    def get_member_names(self) -> list[str]:
        return [person(self.environ).username]

    def get_member(self, name: str):
        return self.provider.get_resource_inst(util.join_uri(self.path, name), self.environ)

    def get_display_name(self) -> str:
        return "dav"


class PersonFolder(DAVCollection):
    """``/dav/<me>/``: the two areas."""

    def get_member_names(self) -> list[str]:
        return list(paths.AREAS)

    def get_member(self, name: str):
        return self.provider.get_resource_inst(util.join_uri(self.path, name), self.environ)


if TYPE_CHECKING:
    from wsgidav.dav_provider import DAVResource as _Resource
else:
    _Resource = object


class _InArea(_Resource):
    """What files and folders of an area share: who, which area, the path relative to it."""

    def _place(self) -> tuple[User, str, str]:
        _who, area, rel = split_path(self.path)
        return person(self.environ), area or "", rel

    def _destination(self, dest_path: str) -> tuple[str, str, os.PathLike]:
        """Where a MOVE/COPY goes: inside the caller's own areas, under a name the portal accepts."""
        user = person(self.environ)
        who, area, rel = split_path(dest_path)
        if who != user.username or area not in paths.AREAS or not rel:
            raise DAVError(HTTP_FORBIDDEN, "Copies and moves stay inside your own folders.")
        parent_rel, _sep, name = rel.rpartition("/")
        try:
            paths.validate_name(name)
            parent = paths.resolve(user, area, parent_rel, must_exist=True)
            target = paths.resolve_under(parent, name)
        except (PathRefused, FileNotFoundError) as error:
            raise refuse(error) from None
        return area, rel, target

    def _trash(self) -> None:
        user, area, rel = self._place()
        try:
            trash.move_to_trash(user, area, rel)
        except (PathRefused, FileNotFoundError) as error:
            raise refuse(error) from None
        self.remove_all_properties(recursive=True)
        self.remove_all_locks(recursive=True)

    def _copy_properties(self, dest_path: str) -> None:
        """Dead properties follow a copy or a move (Finder keeps a few)."""
        if self.provider.prop_manager:
            dest = self.provider.get_resource_inst(dest_path, self.environ)
            self.provider.prop_manager.copy_properties(self.get_ref_url(), dest.get_ref_url(), self.environ)

    def support_recursive_move(self, dest_path: str) -> bool:
        return True

    def move_recursive(self, dest_path: str) -> None:
        _move(self, dest_path)


class AreaFile(_InArea, FileResource):
    def begin_write(self, *, content_type: str | None = None):
        """Into a temp file beside the target; ``end_write`` renames it when whole and within the quota."""
        user, area, _rel = self._place()
        incoming = int(self.environ.get("CONTENT_LENGTH") or 0)
        try:
            check_quota(user, area, max(0, incoming - self.get_content_length()))
        except QuotaExceeded as error:
            raise DAVError(HTTP_INSUFFICIENT_STORAGE, str(error)) from None
        folder = os.path.dirname(self._file_path)
        self._temp: str | None = os.path.join(folder, f"{TEMP_PREFIX}{os.urandom(6).hex()}")
        return open(self._temp, "xb")

    def end_write(self, *, with_errors: bool) -> None:
        temp = getattr(self, "_temp", None)
        if temp is None:
            return
        self._temp = None
        user, area, _rel = self._place()
        if with_errors:
            _remove(temp)
            self._drop_placeholder()
            return
        old_size = self.get_content_length()
        new_size = os.path.getsize(temp)
        try:
            check_quota(user, area, max(0, new_size - old_size))
        except QuotaExceeded as error:
            _remove(temp)
            self._drop_placeholder()
            raise DAVError(HTTP_INSUFFICIENT_STORAGE, str(error)) from None
        os.chmod(temp, 0o600)
        os.replace(temp, self._file_path)
        change_usage(user, area, new_size - old_size)
        self.file_stat = os.stat(self._file_path)

    def _drop_placeholder(self) -> None:
        """The empty file a PUT of a new name made first goes too: nothing is left of a refused upload."""
        if self.environ.get("anemone.placeholder") == self._file_path and os.path.getsize(self._file_path) == 0:
            _remove(self._file_path)

    def delete(self) -> None:
        self._trash()

    def copy_move_single(self, dest_path: str, *, is_move: bool) -> None:
        area, _rel, target = self._destination(dest_path)
        user, source_area, _source_rel = self._place()
        size = self.get_content_length()
        try:
            check_quota(user, area, size)
        except QuotaExceeded as error:
            raise DAVError(HTTP_INSUFFICIENT_STORAGE, str(error)) from None
        shutil.copy2(self._file_path, target)
        change_usage(user, area, size)
        self._copy_properties(dest_path)



class AreaFolder(_InArea, FolderResource):
    def get_member_names(self) -> list[str]:
        """Like the portal's listing: no symlinks, no temp files, no names that are not UTF-8."""
        names = []
        with os.scandir(self._file_path) as listing:
            for entry in listing:
                if entry.name.startswith(TEMP_PREFIX) or entry.is_symlink():
                    continue
                try:
                    entry.name.encode("utf-8")
                except UnicodeEncodeError:
                    continue
                if entry.is_dir(follow_symlinks=False) or entry.is_file(follow_symlinks=False):
                    names.append(entry.name)
        return names

    def get_used_bytes(self) -> int:
        """RFC 4331 quota properties: what the area holds, and what the person's quotas still allow."""
        user, area, _rel = self._place()
        return user.usage_backup_bytes if area == "backup" else user.usage_data_bytes

    def get_available_bytes(self) -> int:
        user, area, _rel = self._place()
        limits = [(user.quota_total_bytes, user.usage_total_bytes)]
        if area == "backup":
            limits.append((user.quota_backup_bytes, user.usage_backup_bytes))
        left = [max(0, quota - used) for quota, used in limits if quota]
        return min(left) if left else shutil.disk_usage(self._file_path).free

    def create_empty_resource(self, name: str):
        user, area, rel = self._place()
        try:
            paths.validate_name(name)
            target = paths.resolve_under(paths.resolve(user, area, rel, must_exist=True), name)
            check_quota(user, area, int(self.environ.get("CONTENT_LENGTH") or 0))
        except PathRefused as error:
            raise refuse(error) from None
        except QuotaExceeded as error:
            raise DAVError(HTTP_INSUFFICIENT_STORAGE, str(error)) from None
        with open(target, "xb"):
            pass
        self.environ["anemone.placeholder"] = str(target)
        return self.provider.get_resource_inst(util.join_uri(self.path, name), self.environ)

    def create_collection(self, name: str) -> None:
        user, area, rel = self._place()
        try:
            paths.validate_name(name)
            target = paths.resolve_under(paths.resolve(user, area, rel, must_exist=True), name)
        except PathRefused as error:
            raise refuse(error) from None
        os.mkdir(target, 0o700)

    def delete(self) -> None:
        _user, _area, rel = self._place()
        if not rel:
            raise DAVError(HTTP_FORBIDDEN, "The area itself cannot be deleted.")
        self._trash()

    def copy_move_single(self, dest_path: str, *, is_move: bool) -> None:
        _area, _rel, target = self._destination(dest_path)
        if not os.path.exists(target):
            os.mkdir(target, 0o700)
        self._copy_properties(dest_path)



def _move(resource: AreaFile | AreaFolder, dest_path: str) -> None:
    """A rename (same disk), the size moving between the areas' counters when it changes area."""
    area, _rel, target = resource._destination(dest_path)
    user, source_area, source_rel = resource._place()
    if not source_rel:
        raise DAVError(HTTP_FORBIDDEN, "An area cannot be moved.")
    if os.path.lexists(target):
        raise DAVError(HTTP_FORBIDDEN, "Something with this name already exists.")
    size = tree_size(resource._file_path) if area != source_area else 0
    if size:
        try:
            check_quota(user, area, size)
        except QuotaExceeded as error:
            raise DAVError(HTTP_INSUFFICIENT_STORAGE, str(error)) from None
    os.rename(resource._file_path, target)
    if size:
        change_usage(user, source_area, -size)
        change_usage(user, area, size)
    if resource.provider.prop_manager:
        dest = resource.provider.get_resource_inst(dest_path, resource.environ)
        resource.provider.prop_manager.move_properties(resource.get_ref_url(), dest.get_ref_url(),
                                                       with_children=True, environ=resource.environ)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


class AreaProvider(DAVProvider):
    """Maps ``/<username>/<area>/<path>`` to the caller's own areas, through the one resolver."""

    def get_resource_inst(self, path: str, environ: dict):
        user = person(environ)
        who, area, rel = split_path(path)
        if not who:
            return Root("/", environ)
        if who != user.username:
            raise DAVError(HTTP_FORBIDDEN, "This folder is not yours.")
        if area is None:
            return PersonFolder(f"/{who}", environ)
        if area not in paths.AREAS:
            return None
        try:
            real = paths.resolve(user, area, rel)
        except FileNotFoundError:
            return None
        except PathRefused as error:
            raise refuse(error) from None
        try:
            info = os.lstat(real)
        except FileNotFoundError:
            return None
        if stat.S_ISDIR(info.st_mode):
            return AreaFolder(path, environ, str(real))
        if stat.S_ISREG(info.st_mode):
            return AreaFile(path, environ, str(real))
        return None


# --- the WSGI application ---------------------------------------------------------------------------

def build_app() -> WsgiDAVApp:
    config = {
        "provider_mapping": {MOUNT: AreaProvider()},
        "http_authenticator": {"domain_controller": DevicePasswordController, "accept_basic": True,
                               "accept_digest": False, "default_to_digest": False},
        "lock_storage": DatabaseLockStorage(),
        "property_manager": True,
        "dir_browser": {"enable": False},
        "verbose": 1,
        "logging": {"enable": False},
        "suppress_version_info": True,
        "add_header_MS_Author_Via": True,
    }
    return WsgiDAVApp(config)


_NOT_ON = b"WebDAV is turned off on this server (Settings, Network shares).\n"


class Dispatcher:
    """``/dav`` to WsgiDAV, everything else to Django (``WSGI_APPLICATION``: gunicorn and test servers)."""

    def __init__(self, django_app) -> None:
        self.django_app = django_app
        self._dav: WsgiDAVApp | None = None

    def __call__(self, environ: dict, start_response):
        path = environ.get("PATH_INFO", "")
        if path != MOUNT and not path.startswith(MOUNT + "/"):
            return self.django_app(environ, start_response)
        close_old_connections()
        forget_request_locks()  # each request reads the locks afresh (another worker may have taken one)
        try:
            if not ShareSettings.load().webdav_enabled:
                start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8"),
                                                 ("Content-Length", str(len(_NOT_ON)))])
                close_old_connections()
                return [_NOT_ON]
            if self._dav is None:
                self._dav = build_app()
            result = self._dav(environ, start_response)
        except BaseException:
            close_old_connections()
            raise
        return _streamed(result)


def _streamed(result):
    """The body as WsgiDAV streams it (a GET of a big file is never held in memory), then the DB cleanup."""
    try:
        yield from result
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
        close_old_connections()
