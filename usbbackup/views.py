"""USB pages: drives and jobs, a job's form and detail, sync now, eject, and the setup import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anemone.decorators import admin_required
from anemone.runs import history
from anemone.runs import services as runs
from anemone.runs.models import Trigger
from usbbackup import detection, eject, kinds, repo, services
from usbbackup.forms import UsbBackupForm, UsbSettingsForm
from usbbackup.models import UsbBackup, UsbSettings


@admin_required
def index(request: HttpRequest) -> HttpResponse:
    drives = detection.detect_drives()
    jobs = [(job, drive, services.last_run(job), history.target_backup_state(services.KIND, job.pk, job.name))
            for job, drive in services.jobs_with_drives(drives)]
    return render(request, "usbbackup/index.html", {
        "title": _("USB backup"), "drives": drives, "jobs": jobs,
        "settings_form": UsbSettingsForm(instance=UsbSettings.load()),
    })


@admin_required
@require_POST
def roots(request: HttpRequest) -> HttpResponse:
    form = UsbSettingsForm(request.POST, instance=UsbSettings.load())
    if form.is_valid():
        form.save()
        messages.success(request, _("Drive folders saved."))
    else:
        messages.error(request, " ".join(str(error) for error in form.errors.get("mount_roots", [])))
    return redirect("usbbackup:index")


def _job_form_page(request: HttpRequest, job: UsbBackup) -> HttpResponse:
    drives = detection.detect_drives()
    form = UsbBackupForm(request.POST or None, instance=job, drives=drives,
                         initial={"drive": request.GET.get("drive", "")})
    if request.method == "POST" and form.is_valid():
        job = form.save()
        messages.success(request, _("USB backup %(name)s saved.") % {"name": job.name})
        return redirect("usbbackup:detail", pk=job.pk)
    sizes = {str(u.pk): services.area_sizes(u, ["backup", "data"]) for u in services.eligible_users()}
    rows = [(checkbox, sizes.get(str(checkbox.data["value"]), {})) for checkbox in form["users"]]
    return render(request, "usbbackup/job_form.html", {
        "title": _("Edit USB backup") if job.pk else _("New USB backup"), "form": form, "job": job,
        "user_rows": rows, "estimate": form.estimate, "drives": form.drives,
    })


@admin_required
def job_new(request: HttpRequest) -> HttpResponse:
    return _job_form_page(request, UsbBackup())


@admin_required
def job_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_form_page(request, get_object_or_404(UsbBackup, pk=pk))


@admin_required
@require_POST
def estimate(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the job form's estimate as the admin ticks people and areas."""
    drives = detection.detect_drives()
    form = UsbBackupForm(request.POST, drives=drives)
    form.is_valid()
    data = form.cleaned_data
    includes = data.get("scope") == "config_users"
    areas = [a for a, key in (("backup", "include_backup_area"), ("data", "include_data_area")) if data.get(key)]
    drive = form.chosen_drive() if "drive" in data else None
    result = services.estimate(list(data.get("users") or []) if includes else [], areas, drive)
    return render(request, "usbbackup/estimate.html", {"estimate": result})


@admin_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(UsbBackup, pk=pk)
    drive = detection.find_drive(job)
    snapshots, error = [], ""
    if drive is not None:
        try:
            snapshots = repo.list_snapshots(job, drive)
        except repo.RepoError as exc:
            error = str(exc)
    recent = runs.Run.objects.filter(kind=services.KIND, target_id=job.pk)[:10]
    return render(request, "usbbackup/job_detail.html", {
        "title": job.name, "job": job, "drive": drive, "snapshots": snapshots, "snapshot_error": error,
        "runs": recent,
        "estimate": services.job_estimate(job, drive), "schedule": runs_schedule(job),
    })


def runs_schedule(job: UsbBackup) -> str:
    from anemone.runs.schedules import describe

    return describe(job)


@admin_required
@require_POST
def job_sync(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(UsbBackup, pk=pk)
    try:
        runs.request(kinds.UsbBackupKind.name, job, trigger=Trigger.MANUAL, user=request.user)
    except runs.RunActive:
        messages.warning(request, _("A backup of %(name)s is already queued or running.") % {"name": job.name})
    return redirect("usbbackup:detail", pk=job.pk)


@admin_required
@require_POST
def job_delete(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(UsbBackup, pk=pk)
    services.delete_job(job)
    messages.success(request, _("USB backup %(name)s deleted (the copy on the drive is left as it is).")
                     % {"name": job.name})
    return redirect("usbbackup:index")


@admin_required
@require_POST
def drive_eject(request: HttpRequest) -> HttpResponse:
    drive = detection.find_mount(request.POST.get("mount", ""))
    if drive is None:
        messages.error(request, _("This drive is not mounted (any more)."))
        return redirect("usbbackup:index")
    try:
        result = eject.eject(drive)
    except eject.EjectError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, result.message)
    return redirect("usbbackup:index")


@login_required
@require_POST
def restore_mine(request: HttpRequest, pk: int) -> HttpResponse:
    """From the Restore hub: the person's own files back from this job's drive (as if absent when the job
    does not keep their files)."""
    job = get_object_or_404(UsbBackup, pk=pk, enabled=True)
    if not job.carries(request.user):
        raise Http404
    try:
        runs.request(kinds.UsbPersonRestore.name, request.user, user=request.user, options={"job": job.pk},
                     label=f"{job.name} → {request.user.get_username()}")
    except runs.RunActive:
        messages.warning(request, _("A restore of your files is already queued or running."))
    else:
        messages.success(request, _("Your files are on their way back from %(name)s.") % {"name": job.name})
    return redirect("restore")
