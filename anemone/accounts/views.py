"""Placeholder views; the accounts work fills them."""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def setup(request: HttpRequest) -> HttpResponse:
    return render(request, "not_configured.html", {"title": "Setup"})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "not_configured.html", {"title": "Account"})


@staff_member_required
def users(request: HttpRequest) -> HttpResponse:
    return render(request, "not_configured.html", {"title": "Users"})
