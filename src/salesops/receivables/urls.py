from django.urls import path

from . import views

app_name = "receivables"

urlpatterns = [
    path("", views.home, name="home"),
    path("receipts/", views.receipts, name="receipts"),
    path("receipts/new/", views.receipt_create, name="receipt_create"),
    path("receipts/<int:payment_id>/book/", views.receipt_book, name="receipt_book"),
    path("account-search/", views.account_search, name="account_search"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/<int:invoice_id>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:invoice_id>/write-off/", views.invoice_write_off, name="invoice_write_off"),
    path("payments/", views.payment_list, name="payment_list"),
    path("payments/<int:payment_id>/", views.payment_detail, name="payment_detail"),
    path("payments/<int:payment_id>/refund/", views.payment_refund, name="payment_refund"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path("credit-notes/", views.credit_note_list, name="credit_note_list"),
    path("credit-notes/new/", views.credit_note_new, name="credit_note_new"),
    path("credit-notes/<int:credit_note_id>/", views.credit_note_detail, name="credit_note_detail"),
    path(
        "credit-notes/<int:credit_note_id>/apply/",
        views.credit_note_apply,
        name="credit_note_apply",
    ),
    path(
        "credit-notes/<int:credit_note_id>/refund/",
        views.credit_note_refund,
        name="credit_note_refund",
    ),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<str:kind>/<int:pk>/", views.decide, name="decide"),
    path("booking-report/", views.booking_report, name="booking_report"),
    path("account-panel/<int:account_id>/", views.account_panel, name="account_panel"),
]
