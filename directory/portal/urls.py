"""URLs of the provider portal: pages (`urlpatterns`, in directory.urls) and API
(`api_urlpatterns`, in directory.api_urls)."""

from django.urls import path

from directory.portal import api, views

urlpatterns = [
    path("portal/", views.portal_home, name="portal-home"),
    path("portal/providers/new/", views.portal_provider_create, name="portal-provider-create"),
    path("portal/providers/<uuid:code>/", views.portal_provider, name="portal-provider"),
    path("portal/providers/<uuid:code>/edit/", views.portal_provider_edit, name="portal-provider-edit"),
    path("portal/providers/<uuid:code>/invite/", views.portal_provider_invite, name="portal-provider-invite"),
    path("portal/providers/<uuid:code>/services/new/", views.portal_service_create, name="portal-service-create"),
    path("portal/services/<uuid:code>/", views.portal_service, name="portal-service"),
    path("portal/services/<uuid:code>/publish/", views.portal_service_publish, name="portal-service-publish"),
    path("portal/services/<uuid:code>/unpublish/", views.portal_service_unpublish, name="portal-service-unpublish"),
    path("portal/services/<uuid:code>/confirm/", views.portal_service_confirm, name="portal-service-confirm"),
    path(
        "portal/services/<uuid:code>/availability/",
        views.portal_service_availability,
        name="portal-service-availability",
    ),
    path("portal/services/<uuid:code>/history/", views.portal_service_history, name="portal-service-history"),
    path(
        "portal/services/<uuid:code>/cancellation/",
        views.portal_service_cancellation,
        name="portal-service-cancellation",
    ),
]

api_urlpatterns = [
    path("portal/services/", api.PortalServiceListApi.as_view(), name="portal-service-list"),
    path("portal/services/<uuid:code>/", api.PortalServiceDetailApi.as_view(), name="portal-service-detail"),
    *(
        path(
            f"portal/services/<uuid:code>/{action}/",
            api.PortalServiceActionApi.as_view(action=action),
            name=f"portal-service-{action}",
        )
        for action in ("publish", "unpublish", "confirm")
    ),
]
