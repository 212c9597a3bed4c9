"""Small tags so the account and Users pages show share facts without their views knowing this app."""

from __future__ import annotations

from django import template

from anemone.shares import services
from anemone.shares.models import DevicePassword

register = template.Library()


@register.simple_tag
def device_password_count(user) -> int:
    return DevicePassword.objects.filter(user=user).count()


@register.simple_tag
def shares_allowed(user) -> bool:
    return services.shares_allowed(user)
