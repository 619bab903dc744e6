from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("org/", views.org_tree, name="org_tree"),
    path("jobs/<int:job_id>/", views.job_status, name="job_status"),
]
