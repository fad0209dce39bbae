from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.region_list, name="list"),
    path("provinsi/<str:code>/", views.province_detail, name="province"),
    path("kabkota/<str:code>/", views.regency_detail, name="regency"),
]
