"""The instrument models leave for the instruments app (issue 13): state only, no SQL on any table.

The survey's foreign keys (Period.instrument, Questionnaire.group, Answer.question, Evidence and review
rows, their history twins) now point at instruments.*, whose tables are the same assessments_* tables.
Altering them in the database would drop and re-validate the foreign key constraints of the answer
table (millions of rows, under lock) for nothing, so only the migration state changes.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_collections_for_participants"),
        ("instruments", "0001_initial"),
        # reports points Score.instrument at instruments.Instrument before assessments.Instrument leaves.
        ("reports", "0005_score_instrument_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[                migrations.RemoveConstraint(
                    model_name='band',
                    name='band_order_unique',
                ),
                migrations.RemoveConstraint(
                    model_name='bandscheme',
                    name='bandscheme_scale',
                ),
                migrations.RemoveField(
                    model_name='instrument',
                    name='band_scheme',
                ),
                migrations.RemoveConstraint(
                    model_name='evidencetype',
                    name='evidencetype_code_unique',
                ),
                migrations.AlterField(
                    model_name='reviewcomment',
                    name='evidence_type',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='instruments.evidencetype'),
                ),
                migrations.AlterField(
                    model_name='evidence',
                    name='evidence_type',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='instruments.evidencetype', verbose_name='jenis bukti'),
                ),
                migrations.AlterField(
                    model_name='historicalevidence',
                    name='evidence_type',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='instruments.evidencetype', verbose_name='jenis bukti'),
                ),
                migrations.RemoveConstraint(
                    model_name='indicator',
                    name='indicator_code_unique',
                ),
                migrations.RemoveConstraint(
                    model_name='indicator',
                    name='indicator_weight_positive',
                ),
                migrations.AlterField(
                    model_name='reviewcomment',
                    name='indicator',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='instruments.indicator'),
                ),
                migrations.RemoveField(
                    model_name='instrument',
                    name='copied_from',
                ),
                migrations.AlterField(
                    model_name='period',
                    name='instrument',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='periods', to='instruments.instrument', verbose_name='instrumen'),
                ),
                migrations.RemoveConstraint(
                    model_name='option',
                    name='option_value_unique',
                ),
                migrations.RemoveConstraint(
                    model_name='option',
                    name='option_score_nonnegative',
                ),
                migrations.RemoveConstraint(
                    model_name='question',
                    name='question_code_unique',
                ),
                migrations.RemoveConstraint(
                    model_name='question',
                    name='question_weight_positive',
                ),
                migrations.AlterField(
                    model_name='answer',
                    name='question',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='answers', to='instruments.question'),
                ),
                migrations.RemoveField(
                    model_name='evidence',
                    name='questions',
                ),
                migrations.AlterField(
                    model_name='historicalanswer',
                    name='question',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='instruments.question'),
                ),
                migrations.RemoveConstraint(
                    model_name='respondentgroup',
                    name='group_code_unique',
                ),
                migrations.AlterField(
                    model_name='historicalquestionnaire',
                    name='group',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='instruments.respondentgroup', verbose_name='kelompok responden'),
                ),
                migrations.AlterField(
                    model_name='questionnaire',
                    name='group',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='questionnaires', to='instruments.respondentgroup', verbose_name='kelompok responden'),
                ),
                migrations.RemoveConstraint(
                    model_name='variable',
                    name='variable_code_unique',
                ),
                migrations.RemoveConstraint(
                    model_name='variable',
                    name='variable_weight_positive',
                ),
                migrations.RemoveField(
                    model_name='evidencetype',
                    name='instrument',
                ),
                migrations.RemoveField(
                    model_name='evidencetype',
                    name='questions',
                ),
                migrations.RemoveField(
                    model_name='indicator',
                    name='variable',
                ),
                migrations.RemoveField(
                    model_name='option',
                    name='question',
                ),
                migrations.RemoveField(
                    model_name='question',
                    name='groups',
                ),
                migrations.RemoveField(
                    model_name='question',
                    name='indicator',
                ),
                migrations.RemoveField(
                    model_name='question',
                    name='instrument',
                ),
                migrations.AddField(
                    model_name='evidence',
                    name='questions',
                    field=models.ManyToManyField(blank=True, related_name='evidence', to='instruments.question', verbose_name='pertanyaan yang didukung'),
                ),
                migrations.RemoveField(
                    model_name='respondentgroup',
                    name='instrument',
                ),
                migrations.RemoveField(
                    model_name='variable',
                    name='instrument',
                ),
                migrations.DeleteModel(
                    name='Band',
                ),
                migrations.DeleteModel(
                    name='BandScheme',
                ),
                migrations.DeleteModel(
                    name='EvidenceType',
                ),
                migrations.DeleteModel(
                    name='Option',
                ),
                migrations.DeleteModel(
                    name='Indicator',
                ),
                migrations.DeleteModel(
                    name='Question',
                ),
                migrations.DeleteModel(
                    name='RespondentGroup',
                ),
                migrations.DeleteModel(
                    name='Instrument',
                ),
                migrations.DeleteModel(
                    name='Variable',
                ),
            ],
        ),
    ]
