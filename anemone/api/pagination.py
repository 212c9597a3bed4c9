"""The API's one pagination: ``?limit=&offset=``, bounded and strict.

DRF's LimitOffsetPagination has no maximum by default and quietly falls back on bad values; a huge
``limit`` then reached the database as an integer it cannot hold (a 500). Here a limit is 1..MAX_LIMIT,
an offset 0 or more, and anything else is a 400 naming the parameter — what the schema says too.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

MAX_LIMIT = 1000


def _whole_number(request: Request, name: str, minimum: int, maximum: int | None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw.strip()) if raw.strip().lstrip("-").isdigit() else None
    except ValueError:  # more digits than Python converts
        value = None
    if value is None or value < minimum or (maximum is not None and value > maximum):
        bound = _("a whole number from %(min)s to %(max)s") % {"min": minimum, "max": maximum} if maximum \
            else _("a whole number of at least %(min)s") % {"min": minimum}
        raise ValidationError({name: [_("Must be %(bound)s.") % {"bound": bound}]})
    return value


class Pagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = MAX_LIMIT

    def get_limit(self, request: Request) -> int | None:
        value = _whole_number(request, self.limit_query_param, 1, self.max_limit)
        return self.default_limit if value is None else value

    def get_offset(self, request: Request) -> int:
        value = _whole_number(request, self.offset_query_param, 0, None)
        return value or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        limit, offset = super().get_schema_operation_parameters(view)
        limit["schema"].update({"minimum": 1, "maximum": self.max_limit, "default": self.default_limit})
        offset["schema"].update({"minimum": 0, "default": 0})
        return [limit, offset]
