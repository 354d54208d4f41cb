"""Serializers of the REST API: what goes out, and the parameters that come in."""

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from classifier.models import ClassifierModel
from jobs.models import IngestJob, RecordFailure, TrainingJob, Upload
from jobs.reclassify import model_of
from library.models import Classification, Corpus, Document, ScoreKind
from library.queries import document_subjects
from library.queue import Order, QueueFilter
from search.backends.base import MAX_PAGE_SIZE
from search.errors import QueryError
from search.limits import bounded
from search.types import SearchQuery
from taxonomy.models import Taxonomy
from web.forms import MAX_ID
from web.jobs import job_progress, recent_failures
from web.latex import latex_to_text

SCORE_KIND_HELP = (
    "probability: a calibrated probability (a trained model's), fit to show as a percentage; "
    "similarity: a zero-shot cosine similarity, which ranks subjects but is no probability"
)


class TextOf(serializers.CharField):
    """A title or abstract for display, its LaTeX as text (``$\\mathcal N=4$``: "𝒩=4"); the field
    named by ``source`` keeps the original, as stored and as search matches it."""

    def __init__(self, source: str) -> None:
        super().__init__(source=source, read_only=True, help_text=f"{source} for display: its LaTeX as text")

    def to_representation(self, value: str) -> str:
        return latex_to_text(super().to_representation(value))


class TaxonomySerializer(serializers.ModelSerializer):
    node_count = serializers.IntegerField(read_only=True)
    corpus_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Taxonomy
        fields = ["id", "name", "version", "source", "created", "node_count", "corpus_count"]


class TreeNodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(
        help_text="documents classified under this node or below: with an accepted subject there, or "
        "a suggested one too with `suggested`"
    )

    def get_fields(self) -> dict:
        fields = super().get_fields()
        fields["children"] = TreeNodeSerializer(many=True)
        return fields


class TaxonomyTreeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.CharField()
    roots = TreeNodeSerializer(many=True)


class PathStepSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class SubjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        help_text="the stored classification; accept or reject it under /api/classifications/"
    )
    code = serializers.CharField()
    label = serializers.CharField()
    score = serializers.FloatField(help_text="a number from 0 to 1; what it measures: score_kind")
    score_kind = serializers.ChoiceField(choices=ScoreKind.choices, help_text=SCORE_KIND_HELP)
    rank = serializers.IntegerField(
        help_text="place among the document's subjects: the most specific first, each broader one after "
        "every subject below it"
    )
    is_leaf = serializers.BooleanField(
        help_text="chosen by the model or a librarian (true), or implied as an ancestor"
    )
    model_version = serializers.CharField()
    source = serializers.ChoiceField(choices=Classification.Source.choices)
    status = serializers.ChoiceField(
        choices=Classification.Status.choices, help_text="accepted, or awaiting a librarian's review"
    )
    path = PathStepSerializer(many=True, help_text="from a root down to this subject")


class DocumentSerializer(serializers.ModelSerializer):
    corpus = serializers.CharField(source="corpus.name")
    title_text = TextOf("title")

    class Meta:
        model = Document
        fields = ["id", "external_id", "title", "title_text", "corpus", "created"]


class NodeDocumentSerializer(DocumentSerializer):
    score = serializers.FloatField(
        help_text="the document's best score for this node among its accepted subjects there (and "
        "suggested ones with `suggested`)"
    )
    score_kind = serializers.ChoiceField(choices=ScoreKind.choices, help_text=SCORE_KIND_HELP)

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "score", "score_kind"]


class DocumentDetailSerializer(DocumentSerializer):
    taxonomy = serializers.IntegerField(source="corpus.taxonomy_id")
    abstract_text = TextOf("abstract")
    subjects = serializers.SerializerMethodField(help_text="the most specific first")

    class Meta(DocumentSerializer.Meta):
        fields = [
            *DocumentSerializer.Meta.fields, "abstract", "abstract_text", "metadata", "updated", "taxonomy",
            "subjects",
        ]  # fmt: skip

    @extend_schema_field(SubjectSerializer(many=True))
    def get_subjects(self, document: Document) -> list[dict]:
        """A list view gives the page's subjects in one go (``context["subjects"]``, ``subjects_of``)."""
        page = self.context.get("subjects")
        return SubjectSerializer(page[document.pk] if page else document_subjects(document), many=True).data


class SubjectFiguresSerializer(serializers.Serializer):
    waiting = serializers.IntegerField(help_text="documents of the corpus on which the subject awaits review")
    recent_share = serializers.FloatField(help_text="share of the corpus's recent documents with the subject")
    before_share = serializers.FloatField(help_text="share of the corpus's earlier documents with it")
    common = serializers.FloatField(
        help_text="log(waiting) / log(the most any subject of the corpus waits on)"
    )
    new_here = serializers.FloatField(
        help_text="(recent_share - before_share) / recent_share where it rose, else 0"
    )


class WhySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="the waiting subject whose decision helps most")
    score = serializers.FloatField()
    score_kind = serializers.ChoiceField(choices=ScoreKind.choices, help_text=SCORE_KIND_HELP)
    usefulness = serializers.FloatField(help_text="uncertain + common + new_here, each from 0 to 1")
    uncertain = serializers.FloatField(
        help_text="1 - |score - even| / even: even is 0.5, or the even similarity"
    )
    figures = SubjectFiguresSerializer()
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=["uncertain", "common", "new"]),
        help_text="the notable parts, largest first",
    )


class ReviewDocumentSerializer(DocumentDetailSerializer):
    waiting_since = serializers.DateTimeField(help_text="when its oldest subject awaiting review was stored")
    why = serializers.SerializerMethodField(
        help_text="why it comes where it does; null: the longest waiting first"
    )

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "taxonomy", "waiting_since", "why", "subjects"]

    @extend_schema_field(WhySerializer(allow_null=True))
    def get_why(self, document: Document) -> dict | None:
        why = (self.context.get("why") or {}).get(document.pk)
        return WhySerializer(why).data if why else None


class ClassificationSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="node.code")
    label = serializers.CharField(source="node.label")
    is_leaf = serializers.BooleanField(
        source="is_leaf_prediction", help_text="chosen (true) or implied as an ancestor"
    )

    class Meta:
        model = Classification
        fields = ["id", "document", "code", "label", "score", "score_kind", "rank", "is_leaf", "source",
                  "status", "model_version", "created"]  # fmt: skip


class CorrectionSerializer(serializers.Serializer):
    node = serializers.CharField(help_text="code of a node in the document's taxonomy")


class ScoredSentenceSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="as it stands in the title or abstract")
    score = serializers.FloatField()


class NeighbourSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    title = serializers.CharField()
    title_text = TextOf("title")
    similarity = serializers.FloatField(help_text="cosine of the stored document vectors")


class VoterSerializer(serializers.Serializer):
    external_id = serializers.CharField()
    title = serializers.CharField()
    title_text = TextOf("title")
    similarity = serializers.FloatField(help_text="cosine of the document vectors")


class ExplanationSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    model_version = serializers.CharField(help_text="the active model that scored the sentences")
    measure = serializers.ChoiceField(
        choices=["margin", "cosine"], help_text="a trained head's margin, or cosine to the subject"
    )
    sentences = ScoredSentenceSerializer(many=True, help_text="the sentences that speak most for it")
    voters = VoterSerializer(
        many=True,
        help_text="the model's training documents among the nearest that carry this subject: its vote",
    )
    neighbours = NeighbourSerializer(
        many=True, help_text="the nearest documents that carry this subject as an accepted one"
    )


def taxonomy_field() -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="taxonomy id")


def page_size_field() -> serializers.IntegerField:
    return serializers.IntegerField(required=False, default=20, min_value=1, max_value=MAX_PAGE_SIZE)


def suggested_field() -> serializers.BooleanField:
    return serializers.BooleanField(
        required=False,
        default=False,
        help_text="count and filter by subjects awaiting review too; by default only accepted ones "
        "(a librarian's, or the model's above its accept threshold)",
    )


class SuggestedParamsSerializer(serializers.Serializer):
    suggested = suggested_field()


class DocumentFilterSerializer(serializers.Serializer):
    corpus = serializers.CharField(required=False, help_text="corpus name")
    node = serializers.CharField(
        required=False, help_text="node code; documents classified under it (see `suggested`)"
    )
    taxonomy = taxonomy_field()
    suggested = suggested_field()


class ReviewFilterSerializer(DocumentFilterSerializer):
    node = serializers.CharField(
        required=False, help_text="node code; suggestions awaiting review at it or below it"
    )
    min_score = serializers.FloatField(
        required=False, min_value=-1, max_value=1, help_text="suggestions scored at least this"
    )
    max_score = serializers.FloatField(
        required=False, min_value=-1, max_value=1, help_text="suggestions scored at most this"
    )
    suggested = None  # the queue is of suggestions

    def filters(self) -> QueueFilter:
        """The queue filter the validated parameters ask for."""
        data = self.validated_data
        return QueueFilter(
            **{name: data.get(name) for name in ("corpus", "taxonomy", "node", "min_score", "max_score")}
        )


class ReviewQueueParamsSerializer(ReviewFilterSerializer):
    order = serializers.ChoiceField(
        choices=Order.choices, default=Order.USEFUL, help_text="useful: the most useful decision first"
    )


class BulkAcceptSerializer(ReviewFilterSerializer):
    node = serializers.CharField(
        help_text="node code; its waiting suggestions, and those below it, are accepted"
    )
    count = serializers.IntegerField(
        min_value=0, help_text="how many suggestions the client saw and confirms"
    )


class BulkAcceptCountSerializer(serializers.Serializer):
    filter = serializers.CharField(help_text="the filter in words")
    count = serializers.IntegerField(help_text="waiting suggestions the filter picks")
    documents = serializers.IntegerField(help_text="documents they are on")


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, default="", help_text="full-text query")
    node = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="node codes; a document must be under every one (see `suggested`)",
    )
    corpus = serializers.CharField(required=False, help_text="corpus name")
    taxonomy = taxonomy_field()
    suggested = suggested_field()
    page = serializers.IntegerField(
        required=False,
        default=1,
        min_value=1,
        help_text="page numbers reach the first SEARCH_MAX_WINDOW hits",
    )
    size = page_size_field()
    cursor = serializers.CharField(
        required=False, help_text="the `next` of the previous answer: the page after it, at any depth"
    )

    def validate(self, data: dict) -> dict:
        """The search's bounds (``search.limits``), each error under the parameter at fault."""
        try:
            bounded(self.query_of(data))
        except QueryError as error:
            raise serializers.ValidationError({error.field: [error.reason]}) from error
        return data

    def to_query(self) -> SearchQuery:
        return self.query_of(self.validated_data)

    @staticmethod
    def query_of(data: dict) -> SearchQuery:
        return SearchQuery(
            text=data["q"],
            nodes=tuple(dict.fromkeys(data["node"])),
            corpus=data.get("corpus"),
            taxonomy_id=data.get("taxonomy"),
            suggested=data["suggested"],
            page=data["page"],
            size=data["size"],
            cursor=data.get("cursor"),
        )


class SimilarParamsSerializer(serializers.Serializer):
    k = serializers.IntegerField(required=False, default=10, min_value=1, max_value=MAX_PAGE_SIZE)


class HitSubjectSerializer(PathStepSerializer):
    accepted = serializers.BooleanField(help_text="accepted (true), or suggested and awaiting review")


class HitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    title_text = TextOf("title")
    snippet = serializers.CharField(help_text="HTML: escaped text, matches in <mark>")
    score = serializers.FloatField()
    external_id = serializers.CharField()
    corpus = serializers.CharField()
    subjects = HitSubjectSerializer(many=True, help_text="the leaf subjects, best first")


class FacetSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(
        help_text="matching documents under this node: by accepted subjects, or suggested ones too "
        "with `suggested`"
    )
    parents = serializers.ListField(child=serializers.CharField())


class SearchResultSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    page = serializers.IntegerField(source="query.page")
    size = serializers.IntegerField(source="query.size")
    pages = serializers.IntegerField(
        help_text="pages that page numbers reach (SEARCH_MAX_WINDOW hits at most)"
    )
    next = serializers.CharField(
        allow_null=True,
        help_text="pass as `cursor` for the next page, past any page number; null after the last hit",
    )
    hits = HitSerializer(many=True)
    facets = FacetSerializer(many=True)


class FailureSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecordFailure
        fields = ["file", "line", "field", "reason"]


class JobSerializer(serializers.ModelSerializer):
    corpus = serializers.CharField(source="corpus.name")
    kind = serializers.SerializerMethodField(
        help_text="ingest: a file brought in; reclassify: the corpus's documents classified again"
    )
    model_version = serializers.SerializerMethodField(
        help_text="the model a reclassification classifies with; null for an ingest job"
    )
    progress = serializers.SerializerMethodField(help_text="0..1")
    elapsed_s = serializers.SerializerMethodField()
    throughput = serializers.SerializerMethodField(help_text="documents indexed per second")
    eta_s = serializers.FloatField(
        read_only=True, allow_null=True, help_text="seconds until every record is through, at the rate so far"
    )

    class Meta:
        model = IngestJob
        fields = [
            "id", "kind", "corpus", "source_name", "format", "model_version", "state", "message",
            "parsed_all",
            "read", "stored", "duplicates", "failed", "classified", "indexed",
            "warnings", "expected", "processed",
            "created", "started", "finished", "progress", "elapsed_s", "throughput", "eta_s",
        ]  # fmt: skip

    def get_kind(self, job: IngestJob) -> str:
        return "ingest" if model_of(job) is None else "reclassify"

    def get_model_version(self, job: IngestJob) -> str | None:
        return model_of(job)

    def get_progress(self, job: IngestJob) -> float:
        return job_progress(job).fraction

    def get_elapsed_s(self, job: IngestJob) -> float | None:
        return job_progress(job).elapsed_s

    def get_throughput(self, job: IngestJob) -> float | None:
        return job_progress(job).throughput


class JobDetailSerializer(JobSerializer):
    failures = serializers.SerializerMethodField(help_text="the first failures by line; see failures/")

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "failures"]

    @extend_schema_field(FailureSerializer(many=True))
    def get_failures(self, job: IngestJob) -> list[dict]:
        return FailureSerializer(recent_failures(job), many=True).data


FORMAT_HELP = (
    "jsonl, json, csv, tsv, annif, bibtex, ris, jats, pdf, text, zip or tar; by default told from the content"
)
FILE_HELP = "JSON Lines or array, CSV/TSV, BibTeX, RIS, JATS XML, PDF, or a ZIP/tar of these; gzip or plain"


class JobUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=FILE_HELP)
    corpus = serializers.CharField(help_text="corpus name; created when new")
    taxonomy = serializers.CharField(
        required=False, allow_blank=True, help_text="taxonomy id or name; required for a new corpus"
    )
    format = serializers.CharField(required=False, allow_blank=True, help_text=FORMAT_HELP)


class UploadCreateSerializer(serializers.Serializer):
    filename = serializers.CharField(max_length=500, help_text=f"the file's name. {FILE_HELP}")
    size = serializers.IntegerField(min_value=1, help_text="bytes in the whole file")
    corpus = serializers.CharField(max_length=200, help_text="corpus name; created when new")
    taxonomy = serializers.CharField(
        required=False, allow_blank=True, help_text="taxonomy id or name; required for a new corpus"
    )
    format = serializers.CharField(required=False, allow_blank=True, help_text=FORMAT_HELP)


class UploadSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(
        help_text="send the chunks here (PATCH), ask it (HEAD, GET), DELETE it"
    )
    corpus = serializers.CharField(source="corpus_name")
    offset = serializers.IntegerField(help_text="bytes received and stored: the next chunk starts here")
    expires = serializers.SerializerMethodField(
        help_text="when the unfinished upload is discarded unless more bytes arrive; null once complete"
    )
    job_url = serializers.SerializerMethodField(help_text="the ingest job, once the last byte arrived")

    class Meta:
        model = Upload
        fields = ["id", "url", "filename", "size", "offset", "state", "corpus", "taxonomy", "format",
                  "job", "job_url", "created", "updated", "expires"]  # fmt: skip

    def get_url(self, upload: Upload) -> str:
        return reverse("web:api:upload-detail", args=[upload.pk])

    def get_expires(self, upload: Upload) -> datetime | None:
        if upload.state != Upload.State.RECEIVING:
            return None
        return upload.updated + timedelta(seconds=settings.INGEST_UPLOAD_STALE_AFTER_S)

    def get_job_url(self, upload: Upload) -> str | None:
        return reverse("web:api:job-detail", args=[upload.job_id]) if upload.job_id else None


class CorpusSerializer(serializers.ModelSerializer):
    taxonomy_name = serializers.CharField(source="taxonomy.name")
    document_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Corpus
        fields = ["id", "name", "taxonomy", "taxonomy_name", "created", "document_count"]


class ReclassifySerializer(serializers.Serializer):
    model = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="a model version of the corpus's taxonomy, zeroshot, or active (the default)",
    )


class ClassifierModelSerializer(serializers.ModelSerializer):
    taxonomy = serializers.StringRelatedField()
    active = serializers.BooleanField(source="is_active")

    class Meta:
        model = ClassifierModel
        fields = ["version", "taxonomy", "kind", "trained_on", "metrics", "active", "created"]


class TrainingJobSerializer(serializers.ModelSerializer):
    taxonomy = serializers.StringRelatedField()
    model = serializers.SlugRelatedField(
        slug_field="version", read_only=True, help_text="the model it registered"
    )
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = TrainingJob
        fields = ["id", "taxonomy", "sources", "state", "progress", "message", "model", "created_by", "created",
                  "started", "finished"]  # fmt: skip
