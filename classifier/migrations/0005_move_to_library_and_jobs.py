# Subjects, embeddings and assessments now belong to library, reclassifications to jobs; their tables stay: state only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('classifier', '0004_reclassification'),
        ('library', '0001_initial'),
        ('jobs', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='documentassessment',
                    name='document',
                ),
                migrations.RemoveField(
                    model_name='documentembedding',
                    name='document',
                ),
                migrations.RemoveField(
                    model_name='reclassification',
                    name='job',
                ),
                migrations.RemoveField(
                    model_name='rejectedsubject',
                    name='document',
                ),
                migrations.RemoveField(
                    model_name='rejectedsubject',
                    name='node',
                ),
                migrations.DeleteModel(
                    name='Classification',
                ),
                migrations.DeleteModel(
                    name='DocumentAssessment',
                ),
                migrations.DeleteModel(
                    name='DocumentEmbedding',
                ),
                migrations.DeleteModel(
                    name='Reclassification',
                ),
                migrations.DeleteModel(
                    name='RejectedSubject',
                ),
            ],
        ),
    ]
