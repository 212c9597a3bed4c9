"""Files and trash API: the same services as the web pages, scoped to the caller (no user parameter)."""

from __future__ import annotations

from django.http import Http404
from django.http.response import HttpResponseBase
from django.urls import path
from django.utils.functional import lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anemone.api.errors import ErrorSerializer
from anemone.files import downloads, paths, services, trash, uploads
from anemone.files.multipart import NamelessParts
from anemone.files.usage import DiskFull, QuotaExceeded

AREA = serializers.ChoiceField(choices=list(paths.AREAS))


class EntrySerializer(serializers.Serializer):
    name = serializers.CharField()
    path = serializers.CharField()
    is_dir = serializers.BooleanField()
    size = serializers.IntegerField()
    modified = serializers.DateTimeField()


class PathSerializer(serializers.Serializer):
    area = AREA
    path = serializers.CharField(allow_blank=True, trim_whitespace=False)


class RenameSerializer(PathSerializer):
    new_name = serializers.CharField(trim_whitespace=False)


class UploadSerializer(serializers.Serializer):
    area = AREA
    path = serializers.CharField(allow_blank=True, required=False, default="", trim_whitespace=False)
    # Empty (0-byte) files are legitimate; a request whose file parts all lack a name is refused, not "201 []".
    file = serializers.ListField(child=serializers.FileField(allow_empty_file=True), allow_empty=False,
                                 error_messages={"empty": lazy(uploads.no_file_message, str)(),
                                                 "required": lazy(uploads.no_file_message, str)()})


class TrashEntrySerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    area = serializers.CharField()
    original_path = serializers.CharField()
    deleted_at = serializers.DateTimeField()
    size = serializers.IntegerField()
    is_dir = serializers.BooleanField()


class PathResultSerializer(serializers.Serializer):
    path = serializers.CharField()


DETAIL = ErrorSerializer
# What a file operation answers: its result, or a refusal with its reason (a bad path or name: 400; nothing there: 404).
PathResult = {200: PathResultSerializer, 400: DETAIL, 404: DETAIL}
AREA_PARAMS = [OpenApiParameter("area", str, enum=list(paths.AREAS), required=True),
               OpenApiParameter("path", str, required=False)]


def _query(request: Request) -> tuple[str, str]:
    data = PathSerializer(data={"area": request.query_params.get("area", ""),
                                "path": request.query_params.get("path", "")})
    data.is_valid(raise_exception=True)
    return data.validated_data["area"], data.validated_data["path"]


def _quota_error(exc: QuotaExceeded) -> Response:
    return Response({"detail": str(exc)}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)


def _disk_full(exc: DiskFull) -> Response:
    return Response({"detail": str(exc)}, status=status.HTTP_507_INSUFFICIENT_STORAGE)


class FileListView(APIView):
    @extend_schema(parameters=AREA_PARAMS, responses={200: EntrySerializer(many=True), 400: DETAIL, 404: DETAIL})
    def get(self, request: Request) -> Response:
        """List a folder of one of the caller's areas."""
        area, relpath = _query(request)
        return Response(EntrySerializer(services.list_dir(request.user, area, relpath), many=True).data)


class DownloadView(APIView):
    @extend_schema(parameters=AREA_PARAMS, responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                                                      400: DETAIL, 404: DETAIL})
    def get(self, request: Request) -> HttpResponseBase:
        """Download a file (streamed; HTTP Range supported)."""
        area, relpath = _query(request)
        real = paths.resolve(request.user, area, relpath, must_exist=True)
        if not real.is_file():
            raise Http404
        return downloads.file_response(request, real)


class NoSilentDropMultiPartParser(MultiPartParser):
    """Django's multipart parser leaves out, without a word, a file part whose file name is empty (or only
    '/', '.', '..'): a script uploading three files got 201 for two. Count those parts while parsing and
    refuse the request (400) instead (issue #11, item 31)."""

    def parse(self, stream, media_type=None, parser_context=None):
        scanner = NamelessParts.for_media_type(stream, media_type or "")
        if scanner is None:
            return super().parse(stream, media_type, parser_context)
        result = super().parse(scanner, media_type, parser_context)
        if scanner.dropped:
            raise ParseError(uploads.no_file_message())
        return result


class UploadView(APIView):
    parser_classes = [NoSilentDropMultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": UploadSerializer},
                   responses={201: PathResultSerializer(many=True), 400: DETAIL, 413: DETAIL, 507: DETAIL})
    def post(self, request: Request) -> Response:
        """Upload one or more files (`file` parts) into the folder `path` of `area`. Empty files are fine;
        a part without a file name is refused (400), a quota that would be passed is 413, a full disk 507."""
        data = UploadSerializer(data={"area": request.data.get("area"), "path": request.data.get("path", ""),
                                      "file": request.FILES.getlist("file")})
        data.is_valid(raise_exception=True)
        stored = []
        try:
            for upload_file in data.validated_data["file"]:
                stored.append({"path": uploads.save_upload(request.user, data.validated_data["area"],
                                                           data.validated_data["path"], upload_file)})
        except QuotaExceeded as exc:
            return _quota_error(exc)
        except DiskFull as exc:
            return _disk_full(exc)
        return Response(stored, status=status.HTTP_201_CREATED)


class PathActionView(APIView):
    parser_classes = [JSONParser, FormParser]
    serializer_class = PathSerializer

    def act(self, request: Request, data: dict) -> str:
        raise NotImplementedError

    def post(self, request: Request) -> Response:
        data = self.serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"path": self.act(request, data.validated_data)})


@extend_schema(request=PathSerializer, responses=PathResult)
class MkdirView(PathActionView):
    """Create the folder `path` in `area`."""

    def act(self, request: Request, data: dict) -> str:
        return services.mkdir(request.user, data["area"], data["path"])


@extend_schema(request=RenameSerializer, responses=PathResult)
class RenameView(PathActionView):
    """Rename `path` to `new_name` in the same folder."""

    serializer_class = RenameSerializer

    def act(self, request: Request, data: dict) -> str:
        return services.rename(request.user, data["area"], data["path"], data["new_name"])


@extend_schema(request=PathSerializer, responses={200: inline_serializer("Trashed", {"path": serializers.CharField(),
                                                                                    "trash_id": serializers.CharField()}),
                                                  400: DETAIL, 404: DETAIL})
class DeleteView(PathActionView):
    """Move `path` to the trash."""

    def post(self, request: Request) -> Response:
        data = PathSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.delete(request.user, data.validated_data["area"], data.validated_data["path"])
        return Response({"path": entry.original_path, "trash_id": entry.id})


def _entry_or_404(request: Request, entry_id: str) -> trash.TrashEntry:
    try:
        return trash.get_entry(request.user, entry_id)
    except trash.TrashEntryMissing:
        raise Http404 from None


class TrashListView(APIView):
    @extend_schema(responses=TrashEntrySerializer(many=True))
    def get(self, request: Request) -> Response:
        """The caller's trash, newest first."""
        return Response(TrashEntrySerializer(trash.list_trash(request.user), many=True).data)


class TrashEntryView(APIView):
    @extend_schema(responses=TrashEntrySerializer)
    def get(self, request: Request, entry_id: str) -> Response:
        return Response(TrashEntrySerializer(_entry_or_404(request, entry_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, entry_id: str) -> Response:
        """Delete one trash entry for good."""
        _entry_or_404(request, entry_id)
        trash.delete_entry(request.user, entry_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TrashRestoreView(APIView):
    @extend_schema(request=None, responses={**PathResult, 413: DETAIL})
    def post(self, request: Request, entry_id: str) -> Response:
        """Put an entry back where it was, or beside it when the name is taken."""
        _entry_or_404(request, entry_id)
        try:
            return Response({"path": trash.restore(request.user, entry_id)})
        except QuotaExceeded as exc:
            return _quota_error(exc)


class TrashEmptyView(APIView):
    @extend_schema(request=None, responses=inline_serializer("Emptied", {"entries": serializers.IntegerField(),
                                                                        "bytes": serializers.IntegerField()}))
    def post(self, request: Request) -> Response:
        """Delete everything in the caller's trash."""
        entries, freed = trash.empty(request.user)
        return Response({"entries": entries, "bytes": freed})


def register(router) -> None:
    return None


urlpatterns = [
    path("files/", FileListView.as_view(), name="api-files"),
    path("files/download/", DownloadView.as_view(), name="api-files-download"),
    path("files/upload/", UploadView.as_view(), name="api-files-upload"),
    path("files/mkdir/", MkdirView.as_view(), name="api-files-mkdir"),
    path("files/rename/", RenameView.as_view(), name="api-files-rename"),
    path("files/delete/", DeleteView.as_view(), name="api-files-delete"),
    path("trash/", TrashListView.as_view(), name="api-trash"),
    path("trash/empty/", TrashEmptyView.as_view(), name="api-trash-empty"),
    path("trash/<str:entry_id>/", TrashEntryView.as_view(), name="api-trash-entry"),
    path("trash/<str:entry_id>/restore/", TrashRestoreView.as_view(), name="api-trash-restore"),
]
