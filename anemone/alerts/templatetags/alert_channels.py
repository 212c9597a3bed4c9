"""{% alert_channels %}: the alerts section of the Settings page (channels, open problems)."""

from django import template

from anemone.alerts.models import AlertChannel, Problem

register = template.Library()


@register.inclusion_tag("alerts/section.html", takes_context=True)
def alert_channels(context):
    return {"channels": list(AlertChannel.objects.all()), "problems": list(Problem.objects.all()),
            "csrf_token": context.get("csrf_token")}
