"""REST API of the librarians' review: the queue, accepting, rejecting and correcting subjects,
and the evidence for a subject."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role
from classifier import review
from classifier.explanations import explain
from library.models import Classification, Document
from library.queries import subjects_of
from library.queue import QueueFilter, review_queue, waiting_suggestions
from web.access import allow
from web.api import serializers as s
from web.api.pagination import Pagination

NO_SUCH_CLASSIFICATION = OpenApiResponse(description="no such classification")
NO_SUCH_DOCUMENT = OpenApiResponse(description="no such document")


class ReviewQueue(generics.ListAPIView):
    """Documents with suggestions awaiting review, the most useful decision first (``why`` says
    why) or the longest waiting first, with all their subjects."""

    permission_classes = allow(read=Role.LIBRARIAN)
    serializer_class = s.ReviewDocumentSerializer
    pagination_class = Pagination

    @extend_schema(parameters=[s.ReviewQueueParamsSerializer])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Document]:
        params = s.ReviewQueueParamsSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        self.queue = review_queue(params.filters(), params.validated_data["order"])
        return self.queue.documents

    def paginate_queryset(self, queryset: QuerySet[Document]) -> list[Document] | None:
        page = super().paginate_queryset(queryset) or []
        self.page_subjects = subjects_of(d.pk for d in page)
        self.page_why = self.queue.why(page, self.page_subjects)
        return page

    def get_serializer_context(self) -> dict:
        page = {"subjects": getattr(self, "page_subjects", None), "why": getattr(self, "page_why", None)}
        return {**super().get_serializer_context(), **page}


class BulkAccept(APIView):
    """Accept the waiting suggestions a filter with a subject picks. GET: how many there are. POST
    with that ``count``: accept them, each document's decision recorded on its own; 409 (and the
    count now) when they are no longer that many, and nothing is accepted."""

    permission_classes = allow(read=Role.LIBRARIAN, write=Role.LIBRARIAN)

    @extend_schema(parameters=[s.ReviewFilterSerializer], responses={200: s.BulkAcceptCountSerializer})
    def get(self, request: Request) -> Response:
        params = s.ReviewFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        if not params.validated_data.get("node"):
            raise ValidationError(
                {"node": ["a subject is needed: suggestions are accepted one subject at a time"]}
            )
        return Response(_counted(params.filters()))

    @extend_schema(
        request=s.BulkAcceptSerializer,
        responses={
            200: s.BulkAcceptCountSerializer,
            409: OpenApiResponse(
                s.BulkAcceptCountSerializer, description="the count changed; nothing accepted"
            ),
        },
    )
    def post(self, request: Request) -> Response:
        body = s.BulkAcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        filters = body.filters()
        suggestions = waiting_suggestions(filters)
        counted = _counted(filters)
        try:
            review.accept_suggestions(
                suggestions,
                body.validated_data["count"],
                by=request.user,
                note=f"bulk accept: {filters.describe()}",
            )
        except review.CountChanged:
            return Response(_counted(filters), status=status.HTTP_409_CONFLICT)
        return Response(counted)


def _counted(filters: QueueFilter) -> dict:
    suggestions = waiting_suggestions(filters)
    return {
        "filter": filters.describe(),
        "count": suggestions.count(),
        "documents": suggestions.values("document_id").distinct().count(),
    }


def _classification(pk: int) -> Classification:
    return get_object_or_404(Classification.objects.select_related("node"), pk=pk)


class AcceptClassification(APIView):
    """Accept a subject; the broader subjects it implies are accepted with it."""

    permission_classes = allow(write=Role.LIBRARIAN)

    @extend_schema(request=None, responses={200: s.ClassificationSerializer, 404: NO_SUCH_CLASSIFICATION})
    def post(self, request: Request, pk: int) -> Response:
        classification = _classification(pk)
        review.accept(classification, by=request.user)
        classification.refresh_from_db()
        return Response(s.ClassificationSerializer(classification).data)


class RejectClassification(APIView):
    """Take a subject off its document, with the subjects below it and the broader ones nothing
    else implies."""

    permission_classes = allow(write=Role.LIBRARIAN)

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="rejected"), 404: NO_SUCH_CLASSIFICATION},
    )
    def post(self, request: Request, pk: int) -> Response:
        review.reject(_classification(pk), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentSubjects(APIView):
    """A librarian gives the document a subject; its ancestors come with it, accepted."""

    permission_classes = allow(write=Role.LIBRARIAN)

    @extend_schema(
        request=s.CorrectionSerializer,
        responses={
            201: s.ClassificationSerializer,
            400: OpenApiResponse(description="the node is not in the document's taxonomy"),
            404: NO_SUCH_DOCUMENT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        document = get_object_or_404(Document.objects.select_related("corpus"), pk=pk)
        body = s.CorrectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            added = review.correct(document, body.validated_data["node"], by=request.user)
        except review.UnknownSubject as error:
            raise ValidationError({"node": [str(error)]}) from error
        return Response(s.ClassificationSerializer(added).data, status=status.HTTP_201_CREATED)


class SubjectExplanation(APIView):
    """The evidence for one of the document's subjects: its sentences that speak most for it under
    the active model, and the nearest documents that carry the subject as an accepted one."""

    permission_classes = allow(read=Role.READER)

    @extend_schema(
        responses={
            200: s.ExplanationSerializer,
            404: OpenApiResponse(description="no such document, or the document lacks that subject"),
        }
    )
    def get(self, request: Request, pk: int, code: str) -> Response:
        document = get_object_or_404(Document.objects.select_related("corpus__taxonomy"), pk=pk)
        if not Classification.objects.filter(document=document, node__code=code).exists():
            raise NotFound(f"document {pk} has no subject {code!r}")
        return Response(s.ExplanationSerializer(explain(document, [code])[0]).data)
