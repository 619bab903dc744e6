from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("schedules/", views.schedule_list, name="schedule_list"),
    path("schedules/new/", views.schedule_edit, name="schedule_create"),
    path("schedules/cron-preview/", views.cron_preview, name="cron_preview"),
    path("schedules/<int:schedule_id>/", views.schedule_detail, name="schedule_detail"),
    path("schedules/<int:schedule_id>/edit/", views.schedule_edit, name="schedule_edit"),
    path(
        "schedules/<int:schedule_id>/send-now/", views.schedule_send_now, name="schedule_send_now"
    ),
    path("schedules/<int:schedule_id>/preview/", views.schedule_preview, name="schedule_preview"),
    path("deliveries/", views.delivery_log, name="delivery_log"),
    path("deliveries/<int:delivery_id>/retry/", views.delivery_retry, name="delivery_retry"),
]
