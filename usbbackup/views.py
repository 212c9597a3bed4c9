from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


@staff_member_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "not_configured.html", {"title": _("USB backup")})
