"""A database made before corpora, documents and subjects moved to ``library`` and jobs to ``jobs``
migrates in place and keeps every row (run on SQLite, and on PostgreSQL by bin/test)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from classifier.models import ClassifierModel
from jobs.models import IngestBatch, IngestJob, Reclassification, RecordFailure, Upload
from library.models import (
    Classification,
    Corpus,
    Document,
    DocumentAssessment,
    DocumentEmbedding,
    RejectedSubject,
)
from taxonomy.models import Node, Taxonomy

BEFORE_THE_MOVE = [
    ("taxonomy", "0001_initial"),
    ("ingest", "0004_resumable_uploads_and_job_format"),
    ("classifier", "0004_reclassification"),
    ("library", None),
    ("jobs", None),
]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def fill_the_old_tables(apps) -> dict[str, list[int]]:
    """A taxonomy, a corpus with documents, a finished job with a batch and a failure, an upload, model
    and librarian subjects, a rejection, a vector, an assessment, a reclassification; their ids by model."""
    old = {name: apps.get_model(app, name) for app, name in [
        ("taxonomy", "Taxonomy"), ("taxonomy", "Node"), ("ingest", "Corpus"), ("ingest", "Document"),
        ("ingest", "IngestJob"), ("ingest", "IngestBatch"), ("ingest", "RecordFailure"), ("ingest", "Upload"),
        ("classifier", "Classification"), ("classifier", "RejectedSubject"),
        ("classifier", "DocumentEmbedding"), ("classifier", "DocumentAssessment"),
        ("classifier", "Reclassification"), ("classifier", "ClassifierModel"),
    ]}  # fmt: skip
    taxonomy = old["Taxonomy"].objects.create(name="arxiv", version="1")
    cs = old["Node"].objects.create(taxonomy=taxonomy, code="cs", label="Computer Science", depth=0)
    ai = old["Node"].objects.create(taxonomy=taxonomy, code="cs.AI", label="AI", depth=1)
    ai.parents.add(cs)
    corpus = old["Corpus"].objects.create(name="theses", taxonomy=taxonomy)
    documents = [
        old["Document"].objects.create(
            corpus=corpus, external_id=f"t{i}", title=f"Thesis {i}", content_hash=f"{i:064d}"
        )
        for i in range(3)
    ]
    job = old["IngestJob"].objects.create(
        corpus=corpus, source_name="theses.jsonl", source_path="/tmp/theses.jsonl", state="done", stored=3
    )
    batch = old["IngestBatch"].objects.create(
        job=job, seq=0, document_ids=[d.pk for d in documents], size=3, read=4, classified=True, indexed=True
    )
    failure = old["RecordFailure"].objects.create(job=job, file="theses.jsonl", line=4, reason="no title")
    upload = old["Upload"].objects.create(
        filename="more.jsonl", size=10, corpus_name="theses", taxonomy=taxonomy
    )
    reclassify = old["IngestJob"].objects.create(corpus=corpus, source_name="reclassify", source_path="")
    reclassification = old["Reclassification"].objects.create(job=reclassify, model_version="zeroshot")
    subjects = [
        old["Classification"].objects.create(
            document=documents[0], node=node, score=0.9, rank=1, model_version="zeroshot", status="review"
        )
        for node in (cs, ai)
    ] + [
        old["Classification"].objects.create(
            document=documents[1], node=ai, score=1.0, rank=1, source="librarian", reviewed=timezone.now()
        )
    ]
    rejection = old["RejectedSubject"].objects.create(
        document=documents[2], node=ai, model_version="zeroshot"
    )
    embedding = old["DocumentEmbedding"].objects.create(
        document=documents[0], encoder="onnx-fp32", vector=b"\0" * 16, content_hash=documents[0].content_hash
    )
    assessment = old["DocumentAssessment"].objects.create(
        document=documents[0], model_version="zeroshot", classifiable=True, best_probability=0.9
    )
    model = old["ClassifierModel"].objects.create(
        taxonomy=taxonomy, version="arxiv-1", kind="hybrid", path="m"
    )
    return {
        "Taxonomy": [taxonomy.pk],
        "Node": [cs.pk, ai.pk],
        "Corpus": [corpus.pk],
        "Document": [d.pk for d in documents],
        "IngestJob": [job.pk, reclassify.pk],
        "IngestBatch": [batch.pk],
        "RecordFailure": [failure.pk],
        "Upload": [upload.pk],
        "Reclassification": [reclassification.pk],
        "Classification": [s.pk for s in subjects],
        "RejectedSubject": [rejection.pk],
        "DocumentEmbedding": [embedding.pk],
        "DocumentAssessment": [assessment.pk],
        "ClassifierModel": [model.pk],
    }


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_old_layout_migrates_in_place_and_keeps_every_row():
    executor = migrate(BEFORE_THE_MOVE)
    try:
        ids = fill_the_old_tables(executor.loader.project_state(BEFORE_THE_MOVE[:3]).apps)
    finally:
        executor = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    now = {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (
            Taxonomy, Node, Corpus, Document, IngestJob, IngestBatch, RecordFailure, Upload,
            Reclassification, Classification, RejectedSubject, DocumentEmbedding, DocumentAssessment,
            ClassifierModel,
        )
    }  # fmt: skip
    assert now == {name: sorted(pks) for name, pks in ids.items()}

    job = IngestJob.objects.get(pk=ids["IngestJob"][0])
    assert (job.corpus.name, job.state, job.stored) == ("theses", "done", 3)
    assert job.batches.get().document_ids == ids["Document"]
    assert job.failures.get().reason == "no title"
    assert IngestJob.objects.get(pk=ids["IngestJob"][1]).reclassification.model_version == "zeroshot"
    first, second, third = Document.objects.order_by("pk")
    assert sorted(first.classifications.values_list("node__code", "status", "score_kind")) == [
        ("cs", "review", "similarity"),
        ("cs.AI", "review", "similarity"),
    ], "the zero-shot classifier's scores are marked as the similarities they are"
    librarian = second.classifications.get()
    assert (librarian.source, librarian.reviewed is not None) == ("librarian", True)
    assert librarian.score_kind == "probability"
    assert third.rejected_subjects.get().node.code == "cs.AI"
    assert bytes(first.embedding.vector) == b"\0" * 16 and first.assessment.classifiable
    assert Upload.objects.get().taxonomy.name == "arxiv"
    assert Corpus.objects.get().jobs.count() == 2
