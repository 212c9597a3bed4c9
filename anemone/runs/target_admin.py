"""The Django admin of every backup target kind, once: saved and deleted through runs.targets (so the
schedule follows), who-is-carried checked like the portal and the API, a "Back up now" action and
last run / last good copy columns."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from anemone.runs import services, targets
from anemone.runs.models import RunStatus, Trigger


class BackupTargetAdminForm(forms.ModelForm):
    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # the instance now holds the submitted values
        try:
            targets.check_carried(self.instance, self.cleaned_data.get("users"))
        except ValidationError as exc:
            self.add_error("users" if "users" in self.fields else None, exc.message_dict["users"])


class BackupTargetAdmin(admin.ModelAdmin):
    """The ModelAdmin base of every BackupTarget model."""

    form: type[forms.ModelForm] = BackupTargetAdminForm
    actions = ["back_up_now"]
    list_display = ["__str__", "enabled", "schedule_kind", "last_run", "last_good"]

    def save_target(self, target: Any) -> None:
        """Kinds with more to do on save (cloud: secrets, required fields) override this."""
        targets.save_target(target)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        self.save_target(form.instance)

    def delete_model(self, request, obj) -> None:
        targets.delete_target(obj)

    def delete_queryset(self, request, queryset) -> None:
        for target in queryset:
            targets.delete_target(target)

    @admin.action(description=_("Back up now"))
    def back_up_now(self, request, queryset) -> None:
        started = busy = 0
        for target in queryset:
            try:
                services.request(targets.kind_of(target), target, trigger=Trigger.MANUAL, user=request.user)
                started += 1
            except services.RunActive:
                busy += 1
        if started:
            self.message_user(request, ngettext("%(n)d run started.", "%(n)d runs started.", started) % {"n": started})
        if busy:
            self.message_user(request, ngettext("%(n)d target already has a run queued or running.",
                                                "%(n)d targets already have a run queued or running.", busy)
                              % {"n": busy}, level=messages.WARNING)

    @admin.display(description=_("last run"))
    def last_run(self, target: Any) -> str:
        run = services.last_runs_by_target(targets.kind_of(target).name).get(target.pk)
        return f"{run.get_status_display()} · {run.queued_at:%Y-%m-%d %H:%M}" if run else "—"

    @admin.display(description=_("last good copy"))
    def last_good(self, target: Any) -> str:
        good = services.last_runs_by_target(targets.kind_of(target).name, where=Q(status=RunStatus.SUCCEEDED))
        run = good.get(target.pk)
        return f"{run.finished_at or run.queued_at:%Y-%m-%d %H:%M}" if run else "—"
