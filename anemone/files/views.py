"""Placeholder views; the files work fills them."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def browse(request: HttpRequest) -> HttpResponse:
    return render(request, "not_configured.html", {"title": "Files"})


@login_required
def trash(request: HttpRequest) -> HttpResponse:
    return render(request, "not_configured.html", {"title": "Trash"})
