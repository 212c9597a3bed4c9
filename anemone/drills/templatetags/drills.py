"""``{% last_drill "cloud" dest.pk as drill %}``: the newest finished drill of a target, for its page."""

from __future__ import annotations

from django import template

from anemone.drills import services
from anemone.runs.models import Run

register = template.Library()


@register.simple_tag
def last_drill(kind: str, target_id: int) -> Run | None:
    return services.last_drill(kind, target_id)
