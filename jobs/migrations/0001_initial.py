# Jobs, batches, failures, uploads and reclassifications move here from ingest and classifier with their tables: state only.

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('taxonomy', '0001_initial'),
        ('library', '0001_initial'),
        ('ingest', '0004_resumable_uploads_and_job_format'),
        ('classifier', '0004_reclassification'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='IngestBatch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('seq', models.PositiveIntegerField()),
                        ('document_ids', models.JSONField(default=list)),
                        ('size', models.PositiveIntegerField(default=0, help_text='documents stored (new or changed)')),
                        ('read', models.PositiveIntegerField(default=0)),
                        ('duplicates', models.PositiveIntegerField(default=0)),
                        ('failed', models.PositiveIntegerField(default=0)),
                        ('warnings', models.PositiveIntegerField(default=0)),
                        ('classified', models.BooleanField(default=False)),
                        ('indexed', models.BooleanField(default=False)),
                        ('error', models.TextField(blank=True, help_text='why the batch could not be classified or indexed')),
                        ('dispatches', models.PositiveSmallIntegerField(default=1)),
                        ('touched', models.DateTimeField(default=django.utils.timezone.now, help_text='last dispatch or step done')),
                    ],
                    options={
                        'db_table': 'ingest_ingestbatch',
                        'ordering': ['job', 'seq'],
                    },
                ),
                migrations.CreateModel(
                    name='IngestJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('source_name', models.CharField(max_length=500)),
                        ('source_path', models.CharField(max_length=1000)),
                        ('format', models.CharField(blank=True, help_text='the format asked for; blank: detected', max_length=20)),
                        ('state', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=10)),
                        ('message', models.TextField(blank=True)),
                        ('parsed_all', models.BooleanField(default=False)),
                        ('read', models.PositiveIntegerField(default=0)),
                        ('stored', models.PositiveIntegerField(default=0)),
                        ('duplicates', models.PositiveIntegerField(default=0)),
                        ('failed', models.PositiveIntegerField(default=0, help_text='records not stored')),
                        ('warnings', models.PositiveIntegerField(default=0, help_text='records stored without some of their input')),
                        ('classified', models.PositiveIntegerField(default=0)),
                        ('indexed', models.PositiveIntegerField(default=0)),
                        ('expected', models.PositiveIntegerField(blank=True, help_text='records in the file, once counted', null=True)),
                        ('processed', models.PositiveIntegerField(default=0, help_text='records whose batch went all the way')),
                        ('spooled', models.BooleanField(default=False)),
                        ('spool_offset', models.PositiveBigIntegerField(default=0, help_text='bytes of the spool stored')),
                        ('next_batch', models.PositiveIntegerField(default=0)),
                        ('parse_turn', models.PositiveIntegerField(default=0, help_text='the one parse task that may go on; others (stale, redelivered) return')),
                        ('parse_waiting', models.BooleanField(default=False, help_text='paused until batches get through')),
                        ('heartbeat', models.DateTimeField(default=django.utils.timezone.now, help_text='last sign of parsing')),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('started', models.DateTimeField(blank=True, null=True)),
                        ('finished', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'ingest_ingestjob',
                        'ordering': ['-created'],
                    },
                ),
                migrations.CreateModel(
                    name='Reclassification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('model_version', models.CharField(help_text="a trained model's version, or 'zeroshot'", max_length=200)),
                    ],
                    options={
                        'db_table': 'classifier_reclassification',
                    },
                ),
                migrations.CreateModel(
                    name='RecordFailure',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file', models.CharField(max_length=500)),
                        ('line', models.PositiveIntegerField()),
                        ('field', models.CharField(blank=True, max_length=200)),
                        ('reason', models.TextField()),
                        ('warning', models.BooleanField(default=False, help_text='the record was stored all the same; only this field was not taken')),
                    ],
                    options={
                        'db_table': 'ingest_recordfailure',
                        'ordering': ['line'],
                    },
                ),
                migrations.CreateModel(
                    name='Upload',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('filename', models.CharField(help_text="the file's name, made safe", max_length=500)),
                        ('size', models.PositiveBigIntegerField(help_text='bytes declared when the upload was created')),
                        ('offset', models.PositiveBigIntegerField(default=0, help_text='bytes received and stored')),
                        ('corpus_name', models.CharField(max_length=200)),
                        ('format', models.CharField(blank=True, help_text='the format asked for; blank: detected', max_length=20)),
                        ('state', models.CharField(choices=[('receiving', 'Receiving'), ('complete', 'complete (an ingest job)')], default='receiving', max_length=10)),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('updated', models.DateTimeField(default=django.utils.timezone.now, help_text='when the last bytes were stored')),
                    ],
                    options={
                        'db_table': 'ingest_upload',
                        'ordering': ['-created'],
                    },
                ),
                migrations.AddField(
                    model_name='ingestjob',
                    name='corpus',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='jobs', to='library.corpus'),
                ),
                migrations.AddField(
                    model_name='ingestbatch',
                    name='job',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='batches', to='jobs.ingestjob'),
                ),
                migrations.AddField(
                    model_name='reclassification',
                    name='job',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='reclassification', to='jobs.ingestjob'),
                ),
                migrations.AddField(
                    model_name='recordfailure',
                    name='job',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='failures', to='jobs.ingestjob'),
                ),
                migrations.AddField(
                    model_name='upload',
                    name='job',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='uploads', to='jobs.ingestjob'),
                ),
                migrations.AddField(
                    model_name='upload',
                    name='taxonomy',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='uploads', to='taxonomy.taxonomy'),
                ),
                migrations.AddConstraint(
                    model_name='ingestbatch',
                    constraint=models.UniqueConstraint(fields=('job', 'seq'), name='batch_job_seq'),
                ),
                migrations.AddIndex(
                    model_name='upload',
                    index=models.Index(fields=['state', 'updated'], name='upload_state_updated'),
                ),
            ],
        ),
    ]
