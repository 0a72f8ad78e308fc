from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from carehub import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", views.ApiIndexApi.as_view(), name="api-index"),
    path("api/v1/ping/", views.ping, name="api-ping"),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include("directory.api_urls")),
    path("api/v1/", include("marketplace.api_urls")),
    path("api/v1/", include("reviews.api.urls")),
    path("", include("marketplace.urls")),
    path("reviews/", include("reviews.urls")),
    path("api/v1/commissioning/", include("commissioning.api_urls")),
    path("", include("commissioning.urls")),
    path("o/ServiceDirectoryService/v3/", include("directory.oruk.urls")),
    path("", include("directory.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler403 = "carehub.views.permission_denied"
handler404 = "carehub.views.page_not_found"
handler500 = "carehub.views.server_error"
