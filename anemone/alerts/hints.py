"""What the core watches say (anemone.alerts.watches), as messages rendered in each recipient's language."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "alerts.overdue_title": _("Backup late: %(target)s (%(kind)s)"),
    "alerts.overdue_body": _("“%(target)s” (%(kind)s, %(schedule)s) has made no good copy since %(last)s, longer "
                             "than it should (%(hours)s h). Look at its last runs: the drive may be out, the "
                             "destination unreachable or the target disabled."),
    "alerts.overdue_never_body": _("“%(target)s” (%(kind)s, %(schedule)s) has never made a good copy, and it was "
                                   "set up %(hours)s h ago. Look at its runs, or run it now."),
    "alerts.disk_title": _("Disk nearly full: %(free)s free of %(total)s"),
    "alerts.disk_body": _("The disk that holds everyone's files (%(path)s) has %(free)s free of %(total)s "
                          "(%(percent)s %%). Uploads and restores fail when it is full. Empty the trash, remove "
                          "old files or add a disk."),
    "alerts.area_title": _("Nearly full: %(person)s's %(area)s (%(percent)s %%)"),
    "alerts.area_body": _("%(person)s uses %(used)s of a %(quota)s quota for %(area)s (%(percent)s %%). Past the "
                          "quota, uploads and backups of new files are refused. Remove files, empty the trash, or "
                          "ask an admin for a larger quota."),
    "alerts.area_backup": _("backup"),
    "alerts.area_total": _("all files"),
    "alerts.smart_title": _("Disk trouble: %(device)s %(model)s"),
    "alerts.smart_body": _("The disk %(device)s (%(model)s, serial %(serial)s) reports trouble of its own: "
                           "%(problems)s. Copy what is on it elsewhere and replace it soon; check that every "
                           "backup is recent."),
    "alerts.smart_failing": _("its overall health check failed"),
    "alerts.smart_prefail": _("an attribute is past its failure threshold"),
    "alerts.smart_selftest": _("its self-test log has errors"),
}
