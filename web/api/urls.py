"""Routes of the REST API (mounted under /api/)."""

from django.urls import path

from web.api import classifiers, corpora, review, uploads, views

app_name = "api"

urlpatterns = [
    path("taxonomies/", views.TaxonomyList.as_view(), name="taxonomy-list"),
    path("taxonomies/<int:pk>/", views.TaxonomyDetail.as_view(), name="taxonomy-detail"),
    path("taxonomies/<int:pk>/tree/", views.TaxonomyTree.as_view(), name="taxonomy-tree"),
    path(
        "taxonomies/<int:pk>/nodes/<path:code>/documents/",
        views.NodeDocuments.as_view(),
        name="node-documents",
    ),
    path("documents/", views.DocumentList.as_view(), name="document-list"),
    path("documents/<int:pk>/", views.DocumentDetail.as_view(), name="document-detail"),
    path("documents/<int:pk>/similar/", views.SimilarDocuments.as_view(), name="document-similar"),
    path("documents/<int:pk>/subjects/", review.DocumentSubjects.as_view(), name="document-subjects"),
    path(
        "documents/<int:pk>/subjects/<path:code>/explanation/",
        review.SubjectExplanation.as_view(),
        name="subject-explanation",
    ),
    path("review/", review.ReviewQueue.as_view(), name="review"),
    path("review/accept/", review.BulkAccept.as_view(), name="review-accept"),
    path(
        "classifications/<int:pk>/accept/",
        review.AcceptClassification.as_view(),
        name="classification-accept",
    ),
    path(
        "classifications/<int:pk>/reject/",
        review.RejectClassification.as_view(),
        name="classification-reject",
    ),
    path("corpora/", corpora.CorpusList.as_view(), name="corpus-list"),
    path("corpora/<int:pk>/", corpora.CorpusDetail.as_view(), name="corpus-detail"),
    path("corpora/<int:pk>/reclassify/", corpora.ReclassifyCorpus.as_view(), name="corpus-reclassify"),
    path("search/", views.Search.as_view(), name="search"),
    path("jobs/", views.JobList.as_view(), name="job-list"),
    path("jobs/<int:pk>/", views.JobDetail.as_view(), name="job-detail"),
    path("jobs/<int:pk>/documents/", views.JobDocuments.as_view(), name="job-documents"),
    path("jobs/<int:pk>/failures/", views.JobFailures.as_view(), name="job-failures"),
    path("jobs/<int:pk>/failures.csv", views.JobFailuresCsv.as_view(), name="job-failures-csv"),
    path("models/", classifiers.ModelList.as_view(), name="model-list"),
    path("taxonomies/<int:pk>/training/", classifiers.StartTraining.as_view(), name="taxonomy-training"),
    path("training/<int:pk>/", classifiers.TrainingDetail.as_view(), name="training-detail"),
    path("models/<str:version>/activate/", classifiers.ActivateModel.as_view(), name="model-activate"),
    path("uploads/", uploads.UploadList.as_view(), name="upload-list"),
    path("uploads/<uuid:pk>/", uploads.UploadDetail.as_view(), name="upload-detail"),
]
urlpatterns.append(path("", views.ApiIndex.as_view(patterns=urlpatterns), name="index"))
