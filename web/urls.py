"""Routes of the web UI, and the REST API under /api/."""

from django.urls import include, path

from web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("upload/", views.upload, name="upload"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("taxonomies/<int:pk>/", views.taxonomy, name="taxonomy"),
    path("taxonomies/<int:pk>/nodes/<path:code>/", views.node, name="node"),
    path("search/", views.search, name="search"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("api/", include("web.api.urls")),
]
