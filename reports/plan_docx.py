"""The action plan as a Word document (python-docx), from the context reports.plan_document builds for the
PDF: the same heading, IKOTAN result, table of items and signature block, on landscape A4, so the Tim
Terpadu can edit the draft in Word before signing. Pure: context in, bytes out."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

DOTS = "." * 40
COLUMNS = (
    ("No", 8),
    ("Indikator sasaran", 40),
    ("Strategi", 26),
    ("Instansi/OPD", 26),
    ("Kegiatan", 44),
    ("Keluaran", 38),
    ("Target", 20),
    ("Anggaran / sumber", 28),
    ("Status", 18),
)


def _landscape(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(14))
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(9)


def _heading(document, context: dict) -> None:
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(context["heading"])
    run.bold = True
    run.font.size = Pt(13)
    sub = document.add_paragraph(f"{context['title']} · Provinsi {context['regency']['province']}")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if context["period"]["is_synthetic"]:
        document.add_paragraph("DATA SINTETIS (DEMO)").runs[0].bold = True


def _result(document, context: dict) -> None:
    result = context["result"]
    document.add_paragraph().add_run(f"Hasil IKOTAN {context['period']['year']}").bold = True
    if result is None:
        document.add_paragraph("Skor IKOTAN belum diverifikasi.")
        return
    document.add_paragraph(f"Indeks keseluruhan {result['overall']:.2f} · kategori {result['category']}")
    parts = [f"{name} {value:.2f}" for name, value in result["variables"] if value is not None]
    if parts:
        document.add_paragraph("Variabel: " + "; ".join(parts))


def _items(document, context: dict) -> None:
    document.add_paragraph().add_run("Butir rencana aksi").bold = True
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, (label, width) in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.width = Mm(width)
        cell.paragraphs[0].add_run(label).bold = True
    for item in context["items"]:
        budget = " · ".join(filter(None, [item["budget"], item["budget_source"]]))
        values = (
            str(item["number"]),
            "\n".join(item["indicators"]),
            item["strategy"],
            item["agency"],
            item["activity"],
            item["output"],
            item["target_date"],
            budget or "–",
            item["status"],
        )
        for cell, value, (_label, width) in zip(table.add_row().cells, values, COLUMNS, strict=True):
            cell.width = Mm(width)
            cell.text = value
    if context["budget_total"]:
        document.add_paragraph(f"Jumlah anggaran: {context['budget_total']}")


def _signatures(document, context: dict) -> None:
    heads = context["heads"]
    document.add_paragraph()
    document.add_paragraph(
        "Ditetapkan di ........................................, tanggal ........................"
    )
    table = document.add_table(rows=1, cols=2)
    blocks = (
        (heads["chair"], heads["chair_note"]),
        (heads["bnnk"], ""),
    )
    for cell, (title, note) in zip(table.rows[0].cells, blocks, strict=True):
        cell.text = title
        if note:
            cell.add_paragraph(f"({note})")
        for _ in range(4):
            cell.add_paragraph()
        cell.add_paragraph("(.......................................................)")
        cell.add_paragraph("NIP. ...........................................")


def build(context: dict) -> bytes:
    """The DOCX bytes of the plan (context: reports.plan_document.plan_context)."""
    document = Document()
    _landscape(document)
    _heading(document, context)
    _result(document, context)
    _items(document, context)
    _signatures(document, context)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
