from django.urls import path

from anemone.alerts import views

app_name = "alerts"
urlpatterns = [
    path("new/", views.edit, name="new"),
    path("<int:pk>/", views.edit, name="edit"),
    path("<int:pk>/test/", views.test, name="test"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
