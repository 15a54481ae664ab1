"""URL patterns of the register pages (namespace "members", see members/urls.py)."""

from django.urls import path

from members.views import config, erasure, register

urlpatterns: list = [
    path("register/", register.register_index, name="register"),
    path("register/<int:pk>/", register.member_detail, name="member_detail"),
    path("register/<int:pk>/contact/", register.member_edit, name="member_edit"),
    path("register/<int:pk>/college/", register.member_college, name="member_college"),
    path("register/<int:pk>/exit/", register.member_exit_record, name="member_exit"),
    path("register/<int:pk>/erasure/", erasure.member_erasure, name="member_erasure"),
    path("colleges/", config.colleges, name="colleges"),
    path("categories/", config.categories, name="categories"),
    path("categories/new/", config.category_create, name="category_create"),
    path("categories/<int:pk>/", config.category_edit, name="category_edit"),
]
