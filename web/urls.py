"""Routes of the web UI, and the REST API under /api/."""

from django.urls import include, path

from web import accepting, deleting, training, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("upload/", views.upload, name="upload"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/delete-documents/", deleting.job_documents, name="delete-job-documents"),
    path("corpora/<int:pk>/reclassify/", views.reclassify_corpus, name="reclassify-corpus"),
    path("corpora/<int:pk>/delete/", deleting.corpus, name="delete-corpus"),
    path("taxonomies/<int:pk>/", views.taxonomy, name="taxonomy"),
    path("taxonomies/<int:pk>/retrain/", training.retrain, name="retrain"),
    path("models/", training.models, name="models"),
    path("models/<int:pk>/activate/", training.activate, name="activate-model"),
    path("taxonomies/<int:pk>/nodes/<path:code>/", views.node, name="node"),
    path("taxonomies/<int:pk>/reliability/", views.reliability, name="reliability"),
    path("search/", views.search, name="search"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/delete/", deleting.document, name="delete-document"),
    path("review/", views.review, name="review"),
    path("review/not-classifiable/", views.review_unplaced, name="review-unplaced"),
    path("review/accept/", accepting.accept_filtered, name="review-accept"),
    path("review/subjects/<int:pk>/accept/", views.accept_subject, name="accept-subject"),
    path("review/subjects/<int:pk>/reject/", views.reject_subject, name="reject-subject"),
    path("review/documents/<int:pk>/accept/", views.accept_document, name="accept-document"),
    path("review/documents/<int:pk>/correct/", views.correct_document, name="correct-document"),
    path("api/", include("web.api.urls")),
]
