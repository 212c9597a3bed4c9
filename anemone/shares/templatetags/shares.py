"""Small tags so the account and Users pages show share facts without their views knowing this app."""

from __future__ import annotations

from django import template

from anemone.shares import services
from anemone.shares.forms import ShareSettingsForm
from anemone.shares.models import DevicePassword, ShareAccess
from anemone.shares.samba import full_shares_of, server_status

register = template.Library()


@register.simple_tag
def device_password_count(user) -> int:
    return DevicePassword.objects.filter(user=user).count()


@register.simple_tag
def shares_allowed(user) -> bool:
    return services.shares_allowed(user)


@register.simple_tag
def read_only_shares(user) -> list[str]:
    """The person's areas whose SMB share turned read-only because their quota is used up."""
    return full_shares_of(user)


@register.inclusion_tag("shares/settings_section.html", takes_context=True)
def network_shares(context):
    """The Settings page's section: the switches, smbd's address, who may connect."""
    current = services.share_settings()
    return {"form": ShareSettingsForm(instance=current), "current": current,
            "people_off": ShareAccess.objects.filter(enabled=False).count(),
            "device_passwords": DevicePassword.objects.count(), "csrf_token": context.get("csrf_token"),
            "smbd": server_status() if current.smb_enabled else {}}
