"""Notification URLs under /notifikasi/."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("jumlah/", views.unread_count, name="unread_count"),
    path("<int:pk>/", views.notification_open, name="open"),
    path("<int:pk>/dibaca/", views.notification_mark_read, name="mark_read"),
    path("semua-dibaca/", views.notification_mark_all_read, name="mark_all_read"),
]
