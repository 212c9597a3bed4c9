"""The portal's and the Django admin's channel form: the Apprise URL is write-only ("currently set" / "not set")."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anemone.alerts import services
from anemone.alerts.models import AlertChannel, PersonalAlerts

URL_HELP = _("Write-only: leave empty to keep the current value. One URL per channel, e.g. ntfy://ntfy.example.org/"
             "backups or json://hooks.example.org/anemone (see the Apprise documentation).")


class AlertChannelForm(forms.ModelForm):
    url = forms.CharField(label=_("Apprise URL"), required=False, max_length=2000,
                          widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), help_text=URL_HELP)
    clear_url = forms.BooleanField(label=_("remove the Apprise URL"), required=False)

    class Meta:
        model = AlertChannel
        fields = ["name", "kind", "enabled", "emails", "on_failed", "on_partial", "on_recovered", "on_warnings",
                  "language"]
        widgets = {"emails": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            state = _("currently set") if self.instance.url_set else _("not set")
            self.fields["url"].help_text = f"{state}. {URL_HELP}"

    def new_url(self) -> str | None:
        """For services.apply_url: a new URL, "" to clear, None to keep."""
        if self.cleaned_data.get("clear_url"):
            return ""
        return self.cleaned_data.get("url") or None

    def clean(self):
        data = super().clean()
        url = self.new_url()
        errors = services.channel_errors(data.get("kind", ""), data.get("emails", ""), url,
                                         bool(self.instance.url_sealed) and url != "")
        for name, error in errors.items():
            if name not in self.errors:
                self.add_error(name, error)
        return data

    def save(self, commit: bool = True) -> AlertChannel:
        services.apply_url(self.instance, self.new_url())  # sealed on the instance, also for the admin's commit=False
        return super().save(commit)


class PersonalAlertsForm(forms.ModelForm):
    class Meta:
        model = PersonalAlerts
        fields = ["enabled", "email"]
