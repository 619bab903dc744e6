"""The query inbox, mounted at /receivables/queries/ (namespace "queries")."""

from django.urls import path

from . import queries_views as views

app_name = "queries"

urlpatterns = [
    path("", views.query_list, name="list"),
    path("new/", views.query_new, name="new"),
    path("<int:query_id>/", views.query_detail, name="detail"),
    path("<int:query_id>/reply/", views.query_reply, name="reply"),
    path("<int:query_id>/note/", views.query_note, name="note"),
    path("<int:query_id>/assign/", views.query_assign, name="assign"),
    path("<int:query_id>/close/", views.query_close, name="close"),
    path("<int:query_id>/reopen/", views.query_reopen, name="reopen"),
    path(
        "<int:query_id>/messages/<int:message_id>/resend/",
        views.query_resend,
        name="resend",
    ),
]
