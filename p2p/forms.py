"""Forms of the P2P pages: a target's settings, and the admin's bulk restore with typed confirmation."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from anemone.runs import targets
from p2p.models import PeerTarget

TARGET_FIELDS = [
    "enabled", "host", "port", "login", "base_path", "carry_everyone", "users",
    "schedule_kind", "schedule_interval_minutes", "schedule_time", "schedule_weekday", "schedule_monthday",
    "keep_last", "keep_daily", "keep_weekly", "keep_monthly", "verify_every_days", "verify_percent",
    "bandwidth_limit_kib", "stall_timeout_seconds", "stale_warning_days",
]


def people():
    """Activated accounts: the only ones a target can carry (others have no backup key yet)."""
    return get_user_model().objects.filter(activated_at__isnull=False).order_by("username")


class PeerTargetForm(forms.ModelForm):
    """The model's validators and blank-means-default help texts do the talking; saving goes through
    services.save_target (the view) so the schedule is re-synced."""

    users = forms.ModelMultipleChoiceField(queryset=people(), required=False, widget=forms.CheckboxSelectMultiple,
                                           label=_("People carried (when \"carry everyone\" is off)"))

    class Meta:
        model = PeerTarget
        fields = TARGET_FIELDS
        widgets = {"schedule_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def clean(self):
        data = super().clean()
        if error := targets.carried_error(data.get("carry_everyone", False), data.get("users")):
            self.add_error("users", error)
        return data


class BulkRestoreForm(forms.Form):
    """After a disaster: everyone's (or some people's) latest snapshot back into their areas."""

    users = forms.ModelMultipleChoiceField(queryset=people(), required=False, widget=forms.CheckboxSelectMultiple,
                                           label=_("People (none ticked = everyone this peer carries)"))
    confirm_name = forms.CharField(label=_("Type the peer's name to confirm"), max_length=64)

    def __init__(self, *args, target: PeerTarget, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        cast(forms.ModelMultipleChoiceField, self.fields["users"]).queryset = target.carried_users().order_by("username")

    def clean_confirm_name(self) -> str:
        typed = self.cleaned_data["confirm_name"].strip()
        if typed != self.target.peer.name:
            raise forms.ValidationError(_("Type the peer's name exactly: %(name)s") % {"name": self.target.peer.name})
        return typed

    def usernames(self) -> list[str]:
        return [person.username for person in self.cleaned_data["users"]]
