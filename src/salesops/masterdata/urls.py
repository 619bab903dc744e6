from django.urls import path

from . import views

app_name = "masterdata"

urlpatterns = [
    path("", views.account_list, name="account_list"),
    path("<int:account_id>/", views.account_detail, name="account_detail"),
    path("products/", views.product_list, name="product_list"),
    path("products/<int:product_id>/", views.product_detail, name="product_detail"),
    path("price-books/", views.price_book_list, name="price_book_list"),
    path("price-books/<int:price_book_id>/", views.price_book_detail, name="price_book_detail"),
]
