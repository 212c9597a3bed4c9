"""JSON bodies with a bounded nesting depth.

Python's json module recurses once per level: a body nested ~1,000 deep raised RecursionError inside
the view (a 500, the anonymous token endpoint included). No Anemone endpoint takes more than a few
levels, so anything deeper than MAX_DEPTH is refused as a 400 with a clear message.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether a parsed JSON value nests deeper than limit (iterative: a deep value cannot recurse here)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def nesting_refused() -> ParseError:
    return ParseError(_("The JSON body is nested too deeply (more than %(n)s levels).") % {"n": MAX_DEPTH})


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise nesting_refused() from None
        if too_deep(data):
            raise nesting_refused()
        return data
