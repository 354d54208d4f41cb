"""REST API of trained models, for curators: list them with their figures, switch one on."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role
from classifier import versions
from classifier.models import ClassifierModel
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
