# Corpora, documents and their subjects move here from ingest and classifier with their tables: state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('taxonomy', '0001_initial'),
        ('ingest', '0004_resumable_uploads_and_job_format'),
        ('classifier', '0004_reclassification'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Corpus',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, unique=True)),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('taxonomy', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='corpora', to='taxonomy.taxonomy')),
                    ],
                    options={
                        'verbose_name_plural': 'corpora',
                        'db_table': 'ingest_corpus',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Document',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('external_id', models.CharField(max_length=500)),
                        ('title', models.TextField()),
                        ('abstract', models.TextField(blank=True)),
                        ('full_text', models.TextField(blank=True)),
                        ('metadata', models.JSONField(blank=True, default=dict)),
                        ('content_hash', models.CharField(max_length=64)),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('updated', models.DateTimeField(auto_now=True)),
                        ('corpus', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='library.corpus')),
                    ],
                    options={
                        'db_table': 'ingest_document',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='Classification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('score', models.FloatField()),
                        ('rank', models.PositiveSmallIntegerField(help_text="1 for the best leaf; ancestors take their best leaf's rank")),
                        ('is_leaf_prediction', models.BooleanField(default=True)),
                        ('model_version', models.CharField(blank=True, max_length=200)),
                        ('source', models.CharField(choices=[('model', 'Model'), ('librarian', 'Librarian')], default='model', max_length=10)),
                        ('status', models.CharField(choices=[('accepted', 'Accepted'), ('review', 'Review')], default='accepted', max_length=10)),
                        ('reviewed', models.DateTimeField(blank=True, help_text="when a librarian accepted the model's subject; reclassifying keeps it", null=True)),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('node', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='classifications', to='taxonomy.node')),
                        ('document', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='classifications', to='library.document')),
                    ],
                    options={
                        'db_table': 'classifier_classification',
                        'ordering': ['document', 'rank', '-score'],
                    },
                ),
                migrations.CreateModel(
                    name='DocumentAssessment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('model_version', models.CharField(max_length=200)),
                        ('classifiable', models.BooleanField()),
                        ('best_probability', models.FloatField()),
                        ('document', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='assessment', to='library.document')),
                    ],
                    options={
                        'db_table': 'classifier_documentassessment',
                    },
                ),
                migrations.CreateModel(
                    name='DocumentEmbedding',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('encoder', models.CharField(max_length=200)),
                        ('vector', models.BinaryField(help_text='float32, L2-normalised')),
                        ('content_hash', models.CharField(blank=True, help_text='of the document it was computed from; reused while it matches', max_length=64)),
                        ('document', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='embedding', to='library.document')),
                    ],
                    options={
                        'db_table': 'classifier_documentembedding',
                    },
                ),
                migrations.CreateModel(
                    name='RejectedSubject',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('model_version', models.CharField(blank=True, help_text='who proposed it; empty: a librarian', max_length=200)),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('document', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rejected_subjects', to='library.document')),
                        ('node', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rejections', to='taxonomy.node')),
                    ],
                    options={
                        'db_table': 'classifier_rejectedsubject',
                    },
                ),
                migrations.AddConstraint(
                    model_name='document',
                    constraint=models.UniqueConstraint(fields=('corpus', 'external_id'), name='document_corpus_external_id'),
                ),
                migrations.AddIndex(
                    model_name='classification',
                    index=models.Index(fields=['node', 'source'], name='classifier__node_id_a1df3e_idx'),
                ),
                migrations.AddConstraint(
                    model_name='classification',
                    constraint=models.UniqueConstraint(fields=('document', 'node', 'source'), name='classification_document_node_source'),
                ),
                migrations.AddConstraint(
                    model_name='rejectedsubject',
                    constraint=models.UniqueConstraint(fields=('document', 'node'), name='rejected_subject_document_node'),
                ),
            ],
        ),
    ]
