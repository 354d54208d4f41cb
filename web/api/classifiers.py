"""REST API of trained models, for curators: list them with their figures, train the next one, switch one on."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role
from classifier import versions
from classifier.models import ClassifierModel
from jobs.models import TrainingJob
from jobs.retraining import TrainingRunning, start_retraining
from taxonomy.models import Taxonomy
from web.access import allow
from web.api import serializers as s
from web.api.pagination import Pagination


class ModelList(generics.ListAPIView):
    """Trained models, newest first, with their validation figures; ``active`` classifies new documents."""

    permission_classes = allow(read=Role.CURATOR)
    serializer_class = s.ClassifierModelSerializer
    queryset = ClassifierModel.objects.select_related("taxonomy").order_by("-created", "-id")
    pagination_class = Pagination


class ActivateModel(APIView):
    """Make this model the one that classifies new documents of its taxonomy (recorded in the audit trail)."""

    permission_classes = allow(write=Role.CURATOR)

    @extend_schema(
        request=None,
        responses={200: s.ClassifierModelSerializer, 404: OpenApiResponse(description="no such model")},
    )
    def post(self, request: Request, version: str) -> Response:
        model = get_object_or_404(ClassifierModel.objects.select_related("taxonomy"), version=version)
        versions.activate(model, by=request.user)
        model.refresh_from_db()
        return Response(s.ClassifierModelSerializer(model).data)


class StartTraining(APIView):
    """Train the taxonomy's next model on a worker from its active model's files and every corpus's
    librarian decisions; follow it at ``Location``; switch the model on with ``models/VERSION/activate/``."""

    permission_classes = allow(write=Role.CURATOR)

    @extend_schema(
        request=None,
        responses={
            201: s.TrainingJobSerializer,
            404: OpenApiResponse(description="no such taxonomy"),
            409: OpenApiResponse(description="the taxonomy is being trained already; `job` names the job"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        taxonomy = get_object_or_404(Taxonomy, pk=pk)
        try:
            job = start_retraining(taxonomy, by=request.user)
        except TrainingRunning as error:
            return Response({"detail": str(error), "job": error.job.pk}, status=status.HTTP_409_CONFLICT)
        location = reverse("web:api:training-detail", args=[job.pk])
        return Response(
            s.TrainingJobSerializer(job).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )


class TrainingDetail(generics.RetrieveAPIView):
    """A training job: its state, last step, and the model it registered."""

    permission_classes = allow(read=Role.CURATOR)
    serializer_class = s.TrainingJobSerializer
    queryset = TrainingJob.objects.select_related("taxonomy", "model")
