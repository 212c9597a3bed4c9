from collections.abc import Callable

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from anemone.models import SiteSettings

# What a server rename leaves in place, as readable lines ("peer: folder"). Filled by the apps that keep
# such folders (p2p, in its ready()) so core lists them without importing a kind.
_KEPT_FOLDERS: list[Callable[[], list[str]]] = []


def register_kept_folders(provider: Callable[[], list[str]]) -> None:
    if provider not in _KEPT_FOLDERS:
        _KEPT_FOLDERS.append(provider)


def kept_folders() -> list[str]:
    return [line for provider in _KEPT_FOLDERS for line in provider()]


class SiteSettingsForm(forms.ModelForm):
    """Server-wide settings. Renaming the server asks for a tick once it is paired with friends: the effect
    is explained (what changes, and that P2P backups keep their folders at the peers — issue #11, item 29)."""

    confirm_rename = forms.BooleanField(required=False, label=_("Yes, rename this server"))

    class Meta:
        model = SiteSettings
        fields = ["server_name", "language", "portal_url", "trash_retention_days"]
        widgets = {"language": forms.Select(choices=settings.LANGUAGES)}
        help_texts = {"server_name": _("Shown in the portal, in your invitation code and on the recovery kit. "
                                       "Backups to friends' servers keep their folder there when you rename.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved_name = self.instance.server_name
        self.folders = kept_folders()
        wanted = (self.data.get("server_name") or "").strip() if self.is_bound else self.saved_name
        if not self.folders or wanted == self.saved_name:
            del self.fields["confirm_rename"]

    @property
    def renamed(self) -> bool:
        return self.cleaned_data.get("server_name", self.saved_name) != self.saved_name

    def rename_effect(self) -> str:
        return str(_("Renaming changes the name shown in the portal, in the invitation code you give new friends and "
                     "on the recovery kit (print it again). Friends keep the name they gave this server when pairing. "
                     "Backups to friends' servers keep using their folder there (%(folders)s): every snapshot made "
                     "before the rename stays listed and restorable.") % {"folders": "; ".join(self.folders)})

    def clean(self):
        cleaned = super().clean()
        if "confirm_rename" in self.fields and self.renamed and not cleaned.get("confirm_rename"):
            self.add_error("confirm_rename", self.rename_effect())
        return cleaned
