# Corpora and documents now belong to library, jobs and uploads to jobs; their tables stay: state only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('ingest', '0004_resumable_uploads_and_job_format'),
        ('classifier', '0005_move_to_library_and_jobs'),
        ('library', '0001_initial'),
        ('jobs', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='ingestjob',
                    name='corpus',
                ),
                migrations.RemoveField(
                    model_name='document',
                    name='corpus',
                ),
                migrations.RemoveField(
                    model_name='ingestbatch',
                    name='job',
                ),
                migrations.RemoveField(
                    model_name='upload',
                    name='job',
                ),
                migrations.RemoveField(
                    model_name='recordfailure',
                    name='job',
                ),
                migrations.RemoveField(
                    model_name='upload',
                    name='taxonomy',
                ),
                migrations.DeleteModel(
                    name='Corpus',
                ),
                migrations.DeleteModel(
                    name='Document',
                ),
                migrations.DeleteModel(
                    name='IngestBatch',
                ),
                migrations.DeleteModel(
                    name='IngestJob',
                ),
                migrations.DeleteModel(
                    name='RecordFailure',
                ),
                migrations.DeleteModel(
                    name='Upload',
                ),
            ],
        ),
    ]
