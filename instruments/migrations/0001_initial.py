"""The instrument models move here from assessments (issue 13) with their tables and rows untouched.

State only: the tables keep their names (assessments_*, Meta.db_table), so no SQL runs on them; the
database side only renames the content types, so the BNN pusat group's permissions and the admin's log
stay attached to the same rows. assessments 0005 and reports 0005 point their foreign keys here.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = (
    "bandscheme",
    "band",
    "instrument",
    "respondentgroup",
    "variable",
    "indicator",
    "question",
    "option",
    "evidencetype",
)


def content_types_follow(apps, schema_editor):
    """assessments.<model> -> instruments.<model>, unless a fresh database already made the new one."""
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    taken = set(
        content_type.objects.using(db).filter(app_label="instruments").values_list("model", flat=True)
    )
    content_type.objects.using(db).filter(app_label="assessments", model__in=set(MOVED) - taken).update(
        app_label="instruments"
    )


def content_types_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    content_type.objects.using(db).filter(app_label="instruments", model__in=MOVED).update(
        app_label="assessments"
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("assessments", "0004_collections_for_participants"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[                migrations.CreateModel(
                    name='Indicator',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=30, verbose_name='kode')),
                        ('name', models.CharField(max_length=200, verbose_name='nama')),
                        ('weight', models.DecimalField(decimal_places=4, default=1, max_digits=8, verbose_name='bobot')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='urutan')),
                    ],
                    options={
                        'verbose_name': 'indikator',
                        'verbose_name_plural': 'indikator',
                        'db_table': 'assessments_indicator',
                        'ordering': ['variable__order', 'order', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='BandScheme',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=40, unique=True, verbose_name='kode')),
                        ('name', models.CharField(max_length=120, verbose_name='nama')),
                        ('kind', models.CharField(choices=[('fixed', 'Tetap'), ('relative', 'Relatif (interval sama)')], default='fixed', max_length=10, verbose_name='jenis')),
                        ('scale_min', models.DecimalField(decimal_places=3, default=0, max_digits=7, verbose_name='skala minimum')),
                        ('scale_max', models.DecimalField(decimal_places=3, default=100, max_digits=7, verbose_name='skala maksimum')),
                        ('decimals', models.PositiveSmallIntegerField(default=2, verbose_name='desimal pembulatan')),
                        ('relative_top', models.CharField(choices=[('observed_max', 'Skor tertinggi peserta'), ('scale_max', 'Batas atas skala')], default='scale_max', max_length=20, verbose_name='batas atas (relatif)')),
                        ('description', models.TextField(blank=True, verbose_name='keterangan')),
                    ],
                    options={
                        'verbose_name': 'skema kategori',
                        'verbose_name_plural': 'skema kategori',
                        'db_table': 'assessments_bandscheme',
                        'constraints': [models.CheckConstraint(condition=models.Q(('scale_max__gt', models.F('scale_min'))), name='bandscheme_scale')],
                    },
                ),
                migrations.CreateModel(
                    name='Instrument',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.CharField(max_length=40, unique=True, verbose_name='versi')),
                        ('name', models.CharField(max_length=200, verbose_name='nama')),
                        ('description', models.TextField(blank=True, verbose_name='keterangan')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='dibuat')),
                        ('band_scheme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='instruments', to='instruments.bandscheme', verbose_name='skema kategori')),
                        ('copied_from', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='copies', to='instruments.instrument', verbose_name='disalin dari')),
                    ],
                    options={
                        'verbose_name': 'instrumen',
                        'verbose_name_plural': 'instrumen',
                        'db_table': 'assessments_instrument',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='RespondentGroup',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=30, verbose_name='kode')),
                        ('name', models.CharField(max_length=100, verbose_name='nama')),
                        ('unit', models.CharField(choices=[('family', 'Unit keluarga'), ('non_family', 'Unit non-keluarga')], max_length=12, verbose_name='unit analisis')),
                        ('min_quota', models.PositiveIntegerField(verbose_name='kuota minimum')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='urutan')),
                        ('instrument', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='groups', to='instruments.instrument')),
                    ],
                    options={
                        'verbose_name': 'kelompok responden',
                        'verbose_name_plural': 'kelompok responden',
                        'db_table': 'assessments_respondentgroup',
                        'ordering': ['instrument', 'order', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Question',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=30, verbose_name='kode')),
                        ('text', models.TextField(verbose_name='pertanyaan')),
                        ('help_text', models.TextField(blank=True, verbose_name='petunjuk')),
                        ('kind', models.CharField(choices=[('likert', 'Skala Likert 1–5'), ('yesno', 'Ya/tidak'), ('choice', 'Pilihan tunggal'), ('number', 'Angka dengan ambang')], default='likert', max_length=10, verbose_name='jenis jawaban')),
                        ('weight', models.DecimalField(decimal_places=4, default=1, max_digits=8, verbose_name='bobot')),
                        ('required', models.BooleanField(default=True, verbose_name='wajib')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='urutan')),
                        ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='instruments.indicator')),
                        ('instrument', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='instruments.instrument')),
                        ('groups', models.ManyToManyField(related_name='questions', to='instruments.respondentgroup', verbose_name='ditanyakan kepada')),
                    ],
                    options={
                        'verbose_name': 'pertanyaan',
                        'verbose_name_plural': 'pertanyaan',
                        'db_table': 'assessments_question',
                        'ordering': ['indicator__variable__order', 'indicator__order', 'order', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Variable',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=30, verbose_name='kode')),
                        ('name', models.CharField(max_length=100, verbose_name='nama')),
                        ('weight', models.DecimalField(decimal_places=4, default=1, max_digits=8, verbose_name='bobot')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='urutan')),
                        ('instrument', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='variables', to='instruments.instrument')),
                    ],
                    options={
                        'verbose_name': 'variabel',
                        'verbose_name_plural': 'variabel',
                        'db_table': 'assessments_variable',
                        'ordering': ['instrument', 'order', 'id'],
                    },
                ),
                migrations.AddField(
                    model_name='indicator',
                    name='variable',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='indicators', to='instruments.variable'),
                ),
                migrations.CreateModel(
                    name='Band',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('order', models.PositiveSmallIntegerField(verbose_name='urutan')),
                        ('label', models.CharField(max_length=60, verbose_name='kategori')),
                        ('lower', models.DecimalField(blank=True, decimal_places=3, max_digits=7, null=True, verbose_name='batas bawah')),
                        ('upper', models.DecimalField(blank=True, decimal_places=3, max_digits=7, null=True, verbose_name='batas atas')),
                        ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bands', to='instruments.bandscheme')),
                    ],
                    options={
                        'verbose_name': 'kategori',
                        'verbose_name_plural': 'kategori',
                        'db_table': 'assessments_band',
                        'ordering': ['scheme', 'order'],
                        'constraints': [models.UniqueConstraint(fields=('scheme', 'order'), name='band_order_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='Option',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('value', models.FloatField(verbose_name='nilai')),
                        ('label', models.CharField(max_length=200, verbose_name='label')),
                        ('score', models.FloatField(verbose_name='skor')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='urutan')),
                        ('question', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='options', to='instruments.question')),
                    ],
                    options={
                        'verbose_name': 'opsi jawaban',
                        'verbose_name_plural': 'opsi jawaban',
                        'db_table': 'assessments_option',
                        'ordering': ['question', 'order', 'value'],
                        'constraints': [models.UniqueConstraint(fields=('question', 'value'), name='option_value_unique'), models.CheckConstraint(condition=models.Q(('score__gte', 0)), name='option_score_nonnegative')],
                    },
                ),
                migrations.CreateModel(
                    name='EvidenceType',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=30, verbose_name='kode')),
                        ('name', models.CharField(max_length=200, verbose_name='nama')),
                        ('required', models.BooleanField(default=False, verbose_name='wajib')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='urutan')),
                        ('instrument', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evidence_types', to='instruments.instrument')),
                        ('questions', models.ManyToManyField(blank=True, related_name='evidence_types', to='instruments.question', verbose_name='pertanyaan yang didukung')),
                    ],
                    options={
                        'verbose_name': 'jenis bukti dukung',
                        'verbose_name_plural': 'jenis bukti dukung',
                        'db_table': 'assessments_evidencetype',
                        'ordering': ['instrument', 'order', 'id'],
                        'constraints': [models.UniqueConstraint(fields=('instrument', 'code'), name='evidencetype_code_unique')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='respondentgroup',
                    constraint=models.UniqueConstraint(fields=('instrument', 'code'), name='group_code_unique'),
                ),
                migrations.AddConstraint(
                    model_name='question',
                    constraint=models.UniqueConstraint(fields=('instrument', 'code'), name='question_code_unique'),
                ),
                migrations.AddConstraint(
                    model_name='question',
                    constraint=models.CheckConstraint(condition=models.Q(('weight__gt', 0)), name='question_weight_positive'),
                ),
                migrations.AddConstraint(
                    model_name='variable',
                    constraint=models.UniqueConstraint(fields=('instrument', 'code'), name='variable_code_unique'),
                ),
                migrations.AddConstraint(
                    model_name='variable',
                    constraint=models.CheckConstraint(condition=models.Q(('weight__gt', 0)), name='variable_weight_positive'),
                ),
                migrations.AddConstraint(
                    model_name='indicator',
                    constraint=models.UniqueConstraint(fields=('variable', 'code'), name='indicator_code_unique'),
                ),
                migrations.AddConstraint(
                    model_name='indicator',
                    constraint=models.CheckConstraint(condition=models.Q(('weight__gt', 0)), name='indicator_weight_positive'),
                ),
            ],
        ),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
