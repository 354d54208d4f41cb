"""REST API of corpora: the list, and reclassifying one as a background job."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role
from classifier.versions import UnknownModel
from jobs.deletion import start_corpus_deletion
from jobs.reclassify import ReclassificationRunning, start_reclassify
from library.models import Corpus
from web.access import allow
from web.api import serializers as s
from web.api.pagination import Pagination
from web.overview import corpora_with_counts


class CorpusDetail(APIView):
    """DELETE a corpus with its documents and jobs, in the background (202); recorded in the audit trail."""

    permission_classes = allow(write=Role.LIBRARIAN)

    @extend_schema(request=None, responses={202: None, 404: OpenApiResponse(description="no such corpus")})
    def delete(self, request: Request, pk: int) -> Response:
        start_corpus_deletion(get_object_or_404(Corpus, pk=pk), by=request.user)
        return Response(status=status.HTTP_202_ACCEPTED)


class CorpusList(generics.ListAPIView):
    """Corpora with their taxonomy and document counts."""

    permission_classes = allow(read=Role.READER)
    serializer_class = s.CorpusSerializer
    queryset = corpora_with_counts()
    pagination_class = Pagination


class ReclassifyCorpus(APIView):
    """Start a job that classifies the corpus's documents again with a model (default: the
    taxonomy's active one) and re-indexes them; follow it at the job's URL (``Location``).
    Subjects librarians gave or accepted stay as they are; rejected ones are not proposed again."""

    permission_classes = allow(write=Role.LIBRARIAN)

    @extend_schema(
        request=s.ReclassifySerializer,
        responses={
            201: s.JobDetailSerializer,
            400: OpenApiResponse(description="the corpus's taxonomy has no such model"),
            404: OpenApiResponse(description="no such corpus"),
            409: OpenApiResponse(description="the corpus is being reclassified already; `job` names the job"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        corpus = get_object_or_404(Corpus.objects.select_related("taxonomy"), pk=pk)
        body = s.ReclassifySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                job = start_reclassify(corpus, body.validated_data["model"] or None, by=request.user)
        except UnknownModel as error:
            raise ValidationError({"model": [str(error)]}) from error
        except ReclassificationRunning as error:
            return Response({"detail": str(error), "job": error.job.pk}, status=status.HTTP_409_CONFLICT)
        location = reverse("web:api:job-detail", args=[job.pk])
        return Response(
            s.JobDetailSerializer(job).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )
