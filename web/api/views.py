"""REST API views: parse the request, call a query or an action, serialise the answer."""

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role
from jobs.deletion import delete_document, start_job_documents_deletion
from jobs.errors import UploadError
from jobs.models import IngestJob, RecordFailure
from jobs.uploads import ingest_upload
from library.models import Document
from library.queries import counted_tree, documents_with_subject, filter_documents
from taxonomy.models import Node
from web.access import allow
from web.api import serializers as s
from web.api.pagination import Pagination
from web.api.uploads import TOO_LARGE, problem
from web.jobs import failures_csv
from web.overview import taxonomies_with_counts
from web.searching import search_documents, similar_documents


class NotClassifiedYet(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_classified"


class TaxonomyList(generics.ListAPIView):
    """Taxonomies with their node and corpus counts."""

    permission_classes = allow(read=Role.READER)
    serializer_class = s.TaxonomySerializer
    queryset = taxonomies_with_counts()
    pagination_class = Pagination


class TaxonomyDetail(generics.RetrieveAPIView):
    """One taxonomy with its node and corpus counts."""

    permission_classes = allow(read=Role.READER)
    serializer_class = s.TaxonomySerializer
    queryset = taxonomies_with_counts()


class TaxonomyTree(APIView):
    """The taxonomy as a nested tree with the number of documents under each node."""

    permission_classes = allow(read=Role.READER)

    @extend_schema(parameters=[s.SuggestedParamsSerializer], responses=s.TaxonomyTreeSerializer)
    def get(self, request: Request, pk: int) -> Response:
        params = s.SuggestedParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        taxonomy = get_object_or_404(taxonomies_with_counts(), pk=pk)
        data = {"id": taxonomy.pk, "name": taxonomy.name, "version": taxonomy.version}
        roots = counted_tree(taxonomy, **params.validated_data)
        return Response(s.TaxonomyTreeSerializer({**data, "roots": roots}).data)


class NodeDocuments(generics.ListAPIView):
    """Documents classified under a node (or below it), best score first: by accepted subjects, or
    suggested ones too with `suggested`."""

    permission_classes = allow(read=Role.READER)
    serializer_class = s.NodeDocumentSerializer
    pagination_class = Pagination

    @extend_schema(parameters=[s.SuggestedParamsSerializer])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Document]:
        params = s.SuggestedParamsSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        node = get_object_or_404(Node, taxonomy_id=self.kwargs["pk"], code=self.kwargs["code"])
        return documents_with_subject(node, **params.validated_data)


class DocumentList(generics.ListAPIView):
    """Documents, optionally of one corpus, one taxonomy, or under one node (by accepted subjects, or
    suggested ones too with `suggested`)."""

    permission_classes = allow(read=Role.READER)
    serializer_class = s.DocumentSerializer
    pagination_class = Pagination

    @extend_schema(parameters=[s.DocumentFilterSerializer])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Document]:
        params = s.DocumentFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return filter_documents(Document.objects.select_related("corpus"), **params.validated_data)


class DocumentDetail(generics.RetrieveDestroyAPIView):
    """A document with its subjects, each with its path from a root; DELETE removes it (and from the
    index), the decisions taken on it staying in the audit trail."""

    permission_classes = allow(read=Role.READER, write=Role.LIBRARIAN)
    serializer_class = s.DocumentDetailSerializer
    queryset = Document.objects.select_related("corpus")

    def perform_destroy(self, document: Document) -> None:
        delete_document(document, by=self.request.user)


class SimilarDocuments(APIView):
    """The documents nearest to this one by the classifier's vector, within its taxonomy."""

    permission_classes = allow(read=Role.READER)

    @extend_schema(
        parameters=[s.SimilarParamsSerializer],
        responses={200: s.HitSerializer(many=True), 404: OpenApiResponse(description="no such document"),
                   409: OpenApiResponse(description="the document is not classified yet")},
    )  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        params = s.SimilarParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        document = get_object_or_404(Document.objects.select_related("corpus"), pk=pk)
        hits = similar_documents(document, params.validated_data["k"])
        if hits is None:
            raise NotClassifiedYet(f"document {pk} has no vector yet: it is classified after ingestion")
        return Response(s.HitSerializer(hits, many=True).data)


class Search(APIView):
    """Full-text search with node filters (all must hold), node facets with labels, and pages; filters
    and facets read accepted subjects, or suggested ones too with `suggested`."""

    permission_classes = allow(read=Role.READER)

    @extend_schema(parameters=[s.SearchParamsSerializer], responses=s.SearchResultSerializer)
    def get(self, request: Request) -> Response:
        params = s.SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response(s.SearchResultSerializer(search_documents(params.to_query())).data)


class JobList(generics.ListCreateAPIView):
    """Ingest jobs, newest first; POST a file (multipart) to start one."""

    permission_classes = allow(read=Role.LIBRARIAN, write=Role.LIBRARIAN)
    queryset = IngestJob.objects.select_related("corpus", "reclassification").order_by("-created", "-id")
    serializer_class = s.JobSerializer
    pagination_class = Pagination
    parser_classes = [MultiPartParser]  # a file; a form post with a session still needs its CSRF token

    @extend_schema(
        request={"multipart/form-data": s.JobUploadSerializer},
        responses={
            201: s.JobDetailSerializer,
            400: OpenApiResponse(description="a field is missing or wrong"),
            413: TOO_LARGE,
        },
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        upload = s.JobUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        file = data["file"]
        try:
            job = ingest_upload(
                file.chunks(),
                file.name,
                data["corpus"],
                data.get("taxonomy") or None,
                data.get("format", ""),
                by=request.user,
            )
        except UploadError as error:
            return problem(error)
        location = reverse("web:api:job-detail", args=[job.pk])
        return Response(
            s.JobDetailSerializer(job).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )


class JobDetail(generics.RetrieveAPIView):
    """A job's state, counts, progress, throughput and first failures."""

    permission_classes = allow(read=Role.LIBRARIAN)
    queryset = IngestJob.objects.select_related("corpus", "reclassification")
    serializer_class = s.JobDetailSerializer


class JobDocuments(APIView):
    """DELETE the documents the job stored or changed, in the background (202)."""

    permission_classes = allow(write=Role.LIBRARIAN)

    @extend_schema(request=None, responses={202: None, 404: OpenApiResponse(description="no such job")})
    def delete(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(IngestJob.objects.select_related("corpus"), pk=pk)
        start_job_documents_deletion(job, by=request.user)
        return Response(status=status.HTTP_202_ACCEPTED)


class ApiIndex(APIView):
    """The endpoints of the API, by name; the schema and its documentation."""

    permission_classes = allow(read=Role.READER)
    patterns: list = []  # the API's URL patterns, given by web.api.urls

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        endpoints = {p.name: f"/api/{p.pattern}" for p in self.patterns if p.name != "index"}
        docs = {"schema": reverse("schema"), "docs": reverse("api-docs"), "redoc": reverse("api-redoc")}
        return Response({"endpoints": endpoints, **docs})


class JobFailures(generics.ListAPIView):
    """Every record the job could not take, by line."""

    permission_classes = allow(read=Role.LIBRARIAN)
    serializer_class = s.FailureSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[RecordFailure]:
        job = get_object_or_404(IngestJob, pk=self.kwargs["pk"])
        return job.failures.order_by("line", "id")


class JobFailuresCsv(APIView):
    """The job's failures as a CSV download: file, line, field, reason."""

    permission_classes = allow(read=Role.LIBRARIAN)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple:
        return super().perform_content_negotiation(request, force=True)  # CSV whatever Accept says

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        job = get_object_or_404(IngestJob, pk=pk)
        response = StreamingHttpResponse(failures_csv(job.failures.all()), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-failures.csv"'
        return response
