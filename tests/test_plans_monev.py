"""Monev of action plans by the BNNP (issue 16): follow-ups (date, progress, note or a file passing the
evidence checks), comments (the BNNP and the kab/kota's BNNK), scope (another kab/kota or province a 404,
pusat reads only), overdue items announced once through the notifications, and the province page."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import Collection
from instruments.models import Indicator
from kotan import access
from kotan.lib.service_errors import NotAllowed, ServiceError
from notifications import reminders
from notifications.models import Notification
from plans import monev_selectors, monev_services, rules
from plans.models import ActionItem, ActionPlan, Agency, FollowUp, PlanComment
from regions.models import Regency
from tests.conftest import make_user
from tests.factories import make_collection, make_period, make_score

pytestmark = pytest.mark.django_db

YEAR = 2026
TODAY = datetime.date(2027, 8, 1)
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _plan(collection, user):
    plan = ActionPlan.objects.create(collection=collection, title="Rencana uji", created_by=user)
    Agency.objects.get_or_create(regency=collection.regency, name="Kesbangpol")
    Agency.objects.get_or_create(regency=collection.regency, name="Satpol PP")
    return plan


def _item(plan, *, target, status="direncanakan", strategy="penguatan_kelembagaan", agency="Kesbangpol"):
    item = ActionItem.objects.create(
        plan=plan,
        strategy=strategy,
        agency=Agency.objects.get(regency=plan.collection.regency, name=agency),
        activity=f"Kegiatan {strategy} {target}",
        expected_output="Keluaran",
        target_date=target,
        status=status,
        completed_at=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC) if status == "selesai" else None,
    )
    item.indicators.set(
        [Indicator.objects.get(variable__instrument=plan.collection.period.instrument, code="KL1")]
    )
    return item


@pytest.fixture
def world(regency_a, regency_b, bnnk_a):
    third = Regency.objects.get(code="3578")  # Surabaya: same province, no plan
    period = make_period(regencies=[regency_a, regency_b, third], year=YEAR)
    coll_a = make_collection(regency_a, period)
    coll_b = make_collection(regency_b, period)
    make_collection(third, period)
    Collection.objects.filter(pk__in=[coll_a.pk, coll_b.pk]).update(state=Collection.State.VERIFIED)
    coll_a.refresh_from_db()
    coll_b.refresh_from_db()
    make_score(coll_a, 60.0, {"KK": 70.0, "KL": 50.0}, indicators={"KK1": 80.0, "KL1": 55.0})
    plan_a = _plan(coll_a, bnnk_a)
    plan_b = _plan(coll_b, None)
    items = {
        "late": _item(plan_a, target=datetime.date(2027, 3, 31)),
        "late_running": _item(
            plan_a, target=datetime.date(2027, 6, 30), status="berjalan", agency="Satpol PP"
        ),
        "done": _item(
            plan_a, target=datetime.date(2027, 2, 1), status="selesai", strategy="pengembangan_kegiatan"
        ),
        "future": _item(plan_a, target=datetime.date(2027, 12, 31), strategy="pengembangan_kapasitas"),
        "b_cancelled": _item(plan_b, target=datetime.date(2027, 1, 31), status="batal"),
    }
    return {"period": period, "plan_a": plan_a, "plan_b": plan_b, "items": items, "third": third}


def url(regency, tail=""):
    return f"/rencana-aksi/{YEAR}/{regency.code}/{tail}"


# --- services ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("over", "words"),
    [
        ({"date": datetime.date(2027, 8, 2)}, "Tanggal tindak lanjut tidak boleh di masa depan."),
        ({"date": None}, "Tanggal tindak lanjut wajib diisi."),
        ({"progress": 101}, "Kemajuan harus antara 0 dan 100 persen."),
        ({"progress": -1}, "Kemajuan harus antara 0 dan 100 persen."),
        ({"progress": "lima"}, "Kemajuan harus berupa angka bulat 0–100."),
        ({"note": "   "}, "Isi catatan atau lampirkan berkas bukti."),
    ],
)
def test_follow_up_refusals_say_why_and_save_nothing(world, bnnp_a, over, words):
    values = {"date": datetime.date(2027, 7, 1), "progress": 40, "note": "Rapat koordinasi digelar"}
    values.update(over)
    with pytest.raises(ServiceError) as exc:
        monev_services.follow_up_add(user=bnnp_a, item=world["items"]["late"], today=TODAY, **values)
    assert exc.value.message == words
    assert not FollowUp.objects.exists()


def test_follow_up_recorded_with_history(world, bnnp_a):
    item = world["items"]["late"]
    row = monev_services.follow_up_add(
        user=bnnp_a, item=item, date=TODAY, progress="60", note=" Separuh kecamatan ", today=TODAY
    )
    assert (row.progress, row.note, row.created_by) == (60, "Separuh kecamatan", bnnp_a)
    assert row.history.get().history_user == bnnp_a


def test_follow_up_file_passes_the_evidence_checks(world, bnnp_a, media):
    item = world["items"]["late"]
    exe = SimpleUploadedFile("laporan.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    with pytest.raises(ServiceError) as exc:
        monev_services.follow_up_add(
            user=bnnp_a, item=item, date=TODAY, progress=10, uploaded_file=exe, today=TODAY
        )
    assert exc.value.code == "bad_type" and "Jenis berkas tidak diizinkan" in exc.value.message
    assert not FollowUp.objects.exists() and not any(p.is_file() for p in media.rglob("*"))

    good = SimpleUploadedFile("laporan monev.txt", PDF)
    row = monev_services.follow_up_add(
        user=bnnp_a, item=item, date=TODAY, progress=10, uploaded_file=good, today=TODAY
    )
    assert row.original_name == "laporan monev.pdf" and row.content_type == "application/pdf"
    assert row.file.read() == PDF


def test_only_the_provinces_bnnp_follows_up(world, bnnk_a, bnnp_other, pusat):
    item = world["items"]["late"]
    for user in (bnnk_a, bnnp_other, pusat):
        with pytest.raises(NotAllowed):
            monev_services.follow_up_add(user=user, item=item, date=TODAY, progress=5, note="x", today=TODAY)
    assert not FollowUp.objects.exists()


def test_comments_by_the_bnnp_and_the_own_bnnk_only(world, bnnp_a, bnnk_a, bnnk_b, bnnp_other, pusat):
    plan = world["plan_a"]
    monev_services.comment_add(user=bnnp_a, plan=plan, text="Mohon percepat", item=world["items"]["late"])
    monev_services.comment_add(user=bnnk_a, plan=plan, text="Baik, kami jadwalkan")
    for user in (bnnk_b, bnnp_other, pusat):
        with pytest.raises(NotAllowed):
            monev_services.comment_add(user=user, plan=plan, text="Tidak boleh")
    with pytest.raises(ServiceError, match=r"Komentar tidak boleh kosong\."):
        monev_services.comment_add(user=bnnp_a, plan=plan, text="  ")
    with pytest.raises(ServiceError, match=r"Butir tidak termasuk rencana aksi ini\."):
        monev_services.comment_add(user=bnnp_a, plan=plan, text="x", item=world["items"]["b_cancelled"])
    assert list(PlanComment.objects.values_list("text", flat=True)) == [
        "Mohon percepat",
        "Baik, kami jadwalkan",
    ]


def test_overdue_items_agree_with_the_rule(world):
    found = {i.pk for i in monev_services.overdue_items(TODAY)}
    items = world["items"]
    assert found == {items["late"].pk, items["late_running"].pk}
    for item in ActionItem.objects.all():
        assert (item.pk in found) == rules.is_overdue(
            target_date=item.target_date, status=item.status, today=TODAY
        )


def test_scope_rules(world, regency_a, bnnk_a, bnnk_b, bnnp_a, bnnp_other, pusat, province_a):
    assert access.can_follow_up_plan(bnnp_a, regency_a)
    assert not any(access.can_follow_up_plan(u, regency_a) for u in (bnnk_a, bnnk_b, bnnp_other, pusat))
    assert access.can_comment_plan(bnnp_a, regency_a) and access.can_comment_plan(bnnk_a, regency_a)
    assert not any(access.can_comment_plan(u, regency_a) for u in (bnnk_b, bnnp_other, pusat))
    assert access.can_monitor_province(bnnp_a, province_a) and access.can_monitor_province(pusat, province_a)
    assert not any(access.can_monitor_province(u, province_a) for u in (bnnk_a, bnnp_other))


# --- reminders ----------------------------------------------------------------------------------------


def test_overdue_items_announced_once(world, bnnk_a, bnnp_a, bnnk_b, mailoutbox):
    assert reminders.send_plan_overdue_reminders(TODAY) == 4  # two items, to A's BNNK and the BNNP
    assert reminders.send_plan_overdue_reminders(TODAY) == 0
    assert reminders.send_plan_overdue_reminders(TODAY + datetime.timedelta(days=1)) == 0
    rows = Notification.objects.filter(kind=Notification.Kind.PLAN_OVERDUE)
    assert rows.count() == 4 and {r.recipient for r in rows} == {bnnk_a, bnnp_a}
    assert len(mailoutbox) == 4 and not rows.filter(recipient=bnnk_b).exists()
    late = world["items"]["late"]
    assert rows.filter(recipient=bnnk_a, url__endswith=f"#butir-{late.pk}").count() == 1
    # A new target date that passes too earns a fresh notice; a finished item none.
    ActionItem.objects.filter(pk=late.pk).update(target_date=datetime.date(2027, 7, 15))
    ActionItem.objects.filter(pk=world["items"]["late_running"].pk).update(
        target_date=datetime.date(2027, 7, 1)
    )
    ActionItem.objects.filter(pk=world["items"]["late_running"].pk).update(
        status="selesai", completed_at=datetime.datetime(2027, 7, 2, tzinfo=datetime.UTC)
    )
    assert reminders.send_plan_overdue_reminders(TODAY) == 2


# --- pages ----------------------------------------------------------------------------------------------


def test_bnnp_records_a_follow_up_and_comments_bnnk_replies(client, world, regency_a, bnnp_a, bnnk_a, media):
    item = world["items"]["late"]
    client.force_login(bnnp_a)
    body = client.get(url(regency_a)).content.decode()
    assert 'data-testid="follow-up-form"' in body and 'data-testid="comment-form"' in body
    assert 'href="/rencana-aksi/provinsi/35/" data-testid="province-monev-link"' in body
    today = datetime.date.today().isoformat()
    response = client.post(
        url(regency_a, f"butir/{item.pk}/tindak-lanjut/"),
        {
            "date": today,
            "progress": "30",
            "note": "Draf RAD dibahas",
            "file": SimpleUploadedFile("a.pdf", PDF),
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#butir-{item.pk}")
    row = FollowUp.objects.get()
    client.post(url(regency_a, "komentar/"), {"text": "Lampirkan notulen", "item": str(item.pk)})
    download = client.get(url(regency_a, f"tindak-lanjut/{row.pk}/berkas/"))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF

    client.force_login(bnnk_a)
    body = client.get(url(regency_a)).content.decode()
    assert "Draf RAD dibahas" in body and "Lampirkan notulen" in body and "30%" in body
    assert 'data-testid="follow-up-form"' not in body and 'data-testid="comment-form"' in body
    assert "province-monev-link" not in body  # the province page is not the BNNK's
    client.post(url(regency_a, "komentar/"), {"text": "Notulen menyusul"})
    assert PlanComment.objects.filter(author=bnnk_a).count() == 1
    # The BNNK cannot record a follow-up: refused with the reason, nothing saved.
    response = client.post(
        url(regency_a, f"butir/{item.pk}/tindak-lanjut/"),
        {"date": today, "progress": "90", "note": "x"},
        follow=True,
    )
    assert "Hanya BNNP provinsi ini yang dapat mencatat tindak lanjut." in response.content.decode()
    assert FollowUp.objects.count() == 1


def test_bad_follow_up_input_said_on_the_page(client, world, regency_a, bnnp_a):
    item = world["items"]["late"]
    client.force_login(bnnp_a)
    for data, words in [
        ({"date": "31/31/2027", "progress": "10", "note": "x"}, "Tanggal tidak valid"),
        ({"date": "2999-01-01", "progress": "10", "note": "x"}, "tidak boleh di masa depan"),
        ({"date": "2026-11-01", "progress": "500", "note": "x"}, "antara 0 dan 100"),
        (
            {"date": "2026-11-01", "progress": "10", "file": SimpleUploadedFile("x.pdf", b"<html>hi</html>")},
            "Jenis berkas tidak diizinkan",
        ),
    ]:
        response = client.post(url(regency_a, f"butir/{item.pk}/tindak-lanjut/"), data, follow=True)
        assert response.status_code == 200 and words in response.content.decode(), [
            str(m) for m in response.context["messages"]
        ]
    assert not FollowUp.objects.exists()


def test_other_scopes_refused(client, world, regency_a, bnnk_b, bnnp_other, pusat):
    item = world["items"]["late"]
    post = {"date": "2027-01-01", "progress": "10", "note": "x"}
    for user in (bnnk_b, bnnp_other):
        client.force_login(user)
        assert client.get(url(regency_a)).status_code == 404
        assert client.post(url(regency_a, f"butir/{item.pk}/tindak-lanjut/"), post).status_code == 404
        assert client.post(url(regency_a, "komentar/"), {"text": "x"}).status_code == 404
    client.force_login(pusat)
    body = client.get(url(regency_a)).content.decode()
    assert 'data-testid="follow-ups"' in body and "follow-up-form" not in body and "comment-form" not in body
    client.post(url(regency_a, f"butir/{item.pk}/tindak-lanjut/"), post)
    client.post(url(regency_a, "komentar/"), {"text": "x"})
    assert not FollowUp.objects.exists() and not PlanComment.objects.exists()


def test_province_page_counts(client, world, bnnp_a, bnnp_other, bnnk_a, pusat, province_a):
    summary = monev_selectors.province_summary(province_a, world["period"], TODAY)
    by = lambda rows: {r["key"]: r["count"] for r in rows}  # noqa: E731
    assert by(summary["by_status"]) == {"direncanakan": 2, "berjalan": 1, "selesai": 1, "batal": 1}
    assert by(summary["by_strategy"]) == {
        "penguatan_kelembagaan": 3,
        "pengembangan_kapasitas": 1,
        "pelibatan_pemangku_kepentingan": 0,
        "pengembangan_kegiatan": 1,
    }
    assert [(r["label"], r["count"]) for r in summary["by_agency"]] == [("Kesbangpol", 4), ("Satpol PP", 1)]
    assert [i.pk for i in summary["overdue"]] == [
        world["items"]["late"].pk,
        world["items"]["late_running"].pk,
    ]
    assert [r.code for r in summary["without_plan"]] == [world["third"].code]
    assert (summary["plans"], summary["items"]) == (2, 5)

    for user in (bnnp_a, pusat):
        client.force_login(user)
        body = client.get("/rencana-aksi/provinsi/35/").content.decode()
        assert world["third"].name in body and 'data-testid="regency-without-plan"' in body
    client.force_login(bnnp_other)
    assert client.get("/rencana-aksi/provinsi/35/").status_code == 404
    client.force_login(bnnk_a)
    assert client.get("/rencana-aksi/provinsi/35/").status_code == 403


def test_pages_in_english(client, settings, world, regency_a, bnnp_a):
    client.force_login(bnnp_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/rencana-aksi/provinsi/35/").content.decode()
    assert "Action plan monitoring" in body and "Regencies/cities without an action plan" in body
    assert "Kab/kota tanpa rencana aksi" not in body
    body = client.get(url(regency_a)).content.decode()
    assert "Record follow-up" in body and "Monitoring comments" in body and "Progress (%)" in body


# --- correcting and removing follow-ups and comments (plans.monev_changes) -------------------------------


def _history_types(model, pk):
    return list(model.history.filter(id=pk).order_by("history_date").values_list("history_type", flat=True))


def test_follow_up_corrected_then_removed_history_kept(world, bnnp_a, province_a, media):
    item = world["items"]["late"]
    row = monev_services.follow_up_add(
        user=bnnp_a,
        item=item,
        date=TODAY,
        progress=20,
        uploaded_file=SimpleUploadedFile("a.pdf", PDF),
        today=TODAY,
    )
    first_file = row.file.name
    # A colleague at the same BNNP corrects it: the record is the office's.
    colleague = make_user("bnnp.jatim.dua", "bnnp", province=province_a)
    monev_services.follow_up_edit(
        user=colleague,
        row=row,
        date=datetime.date(2027, 7, 30),
        progress="35",
        note=" Dua kecamatan ",
        today=TODAY,
    )
    row.refresh_from_db()
    assert (row.date, row.progress, row.note, row.file.name) == (
        datetime.date(2027, 7, 30),
        35,
        "Dua kecamatan",
        first_file,
    )
    # A bad new file is refused with the reason; the row and its file stay as they were.
    exe = SimpleUploadedFile("ganti.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    with pytest.raises(ServiceError, match="Jenis berkas tidak diizinkan"):
        monev_services.follow_up_edit(
            user=bnnp_a, row=row, date=TODAY, progress=90, note="x", uploaded_file=exe, today=TODAY
        )
    row.refresh_from_db()
    assert (row.progress, row.note, row.file.name) == (35, "Dua kecamatan", first_file)
    assert row.file.read() == PDF
    # A good file replaces it; the old one stays on disk for the history row that names it.
    new_pdf = PDF.replace(b"Catalog", b"Catalog ")
    monev_services.follow_up_edit(
        user=bnnp_a,
        row=row,
        date=TODAY,
        progress=50,
        note="",
        uploaded_file=SimpleUploadedFile("baru.pdf", new_pdf),
        today=TODAY,
    )
    row.refresh_from_db()
    assert row.file.name != first_file and row.file.read() == new_pdf and row.original_name == "baru.pdf"
    assert (media / first_file).read_bytes() == PDF
    pk = row.pk
    monev_services.follow_up_delete(user=bnnp_a, row=row)
    assert not FollowUp.objects.exists()
    assert _history_types(FollowUp, pk) == ["+", "~", "~", "-"]
    removed = FollowUp.history.get(id=pk, history_type="-")
    assert removed.history_user == bnnp_a and removed.progress == 50 and removed.file == row.file.name


def test_follow_up_changes_refused_to_others_change_nothing(world, bnnp_a, bnnk_a, bnnp_other, pusat):
    row = monev_services.follow_up_add(
        user=bnnp_a, item=world["items"]["late"], date=TODAY, progress=20, note="Awal", today=TODAY
    )
    for user in (bnnk_a, bnnp_other, pusat):
        with pytest.raises(NotAllowed):
            monev_services.follow_up_edit(
                user=user, row=row, date=TODAY, progress=99, note="Ubah", today=TODAY
            )
        with pytest.raises(NotAllowed):
            monev_services.follow_up_delete(user=user, row=row)
    # Bad input by the BNNP itself: said, nothing changed (no note and no file left).
    for values, words in [
        ({"progress": 150, "note": "x"}, "antara 0 dan 100"),
        ({"progress": 30, "note": "  "}, "Isi catatan atau lampirkan berkas bukti."),
        ({"progress": 30, "note": "x", "date": datetime.date(2027, 8, 2)}, "masa depan"),
    ]:
        with pytest.raises(ServiceError, match=words):
            monev_services.follow_up_edit(user=bnnp_a, row=row, **{"date": TODAY, **values}, today=TODAY)
    row.refresh_from_db()
    assert (row.progress, row.note) == (20, "Awal") and _history_types(FollowUp, row.pk) == ["+"]


def test_comment_edited_and_removed_by_its_author_only(world, bnnp_a, bnnk_a, province_a, bnnp_other, pusat):
    plan = world["plan_a"]
    mine = monev_services.comment_add(user=bnnk_a, plan=plan, text="Notulen menyusul")
    colleague = make_user("bnnp.jatim.dua", "bnnp", province=province_a)
    for user in (bnnp_a, colleague, bnnp_other, pusat):
        with pytest.raises(NotAllowed, match="Hanya penulis komentar"):
            monev_services.comment_edit(user=user, row=mine, text="Diubah orang lain")
        with pytest.raises(NotAllowed):
            monev_services.comment_delete(user=user, row=mine)
    with pytest.raises(ServiceError, match=r"Komentar tidak boleh kosong\."):
        monev_services.comment_edit(user=bnnk_a, row=mine, text="   ")
    mine.refresh_from_db()
    assert mine.text == "Notulen menyusul"
    monev_services.comment_edit(user=bnnk_a, row=mine, text=" Notulen diunggah besok ")
    mine.refresh_from_db()
    assert mine.text == "Notulen diunggah besok"
    pk = mine.pk
    monev_services.comment_delete(user=bnnk_a, row=mine)
    assert not PlanComment.objects.exists()
    assert _history_types(PlanComment, pk) == ["+", "~", "-"]
    texts = list(PlanComment.history.filter(id=pk).order_by("history_date").values_list("text", flat=True))
    assert texts == ["Notulen menyusul", "Notulen diunggah besok", "Notulen diunggah besok"]
    assert PlanComment.history.get(id=pk, history_type="-").history_user == bnnk_a


def test_plan_page_offers_corrections_to_whom_may(client, world, regency_a, bnnp_a, bnnk_a, pusat, media):
    item = world["items"]["late"]
    row = monev_services.follow_up_add(
        user=bnnp_a,
        item=item,
        date=TODAY,
        progress=20,
        uploaded_file=SimpleUploadedFile("a.pdf", PDF),
        today=TODAY,
    )
    theirs = monev_services.comment_add(user=bnnp_a, plan=world["plan_a"], text="Mohon percepat")
    mine = monev_services.comment_add(user=bnnk_a, plan=world["plan_a"], text="Baik")
    edit = url(regency_a, "komentar/{}/ubah/")
    client.force_login(bnnp_a)
    body = client.get(url(regency_a)).content.decode()
    assert (
        url(regency_a, f"tindak-lanjut/{row.pk}/ubah/") in body
        and url(regency_a, f"tindak-lanjut/{row.pk}/hapus/") in body
    )
    assert edit.format(theirs.pk) in body and edit.format(mine.pk) not in body
    client.force_login(bnnk_a)
    body = client.get(url(regency_a)).content.decode()
    assert (
        "follow-up-change" not in body and edit.format(mine.pk) in body and edit.format(theirs.pk) not in body
    )
    client.force_login(pusat)
    body = client.get(url(regency_a)).content.decode()
    assert "follow-up-change" not in body and "comment-change" not in body


def test_corrections_through_the_pages(client, world, regency_a, bnnp_a, bnnk_a, bnnk_b, bnnp_other, media):
    item = world["items"]["late"]
    row = monev_services.follow_up_add(
        user=bnnp_a,
        item=item,
        date=TODAY,
        progress=20,
        uploaded_file=SimpleUploadedFile("a.pdf", PDF),
        today=TODAY,
    )
    comment = monev_services.comment_add(user=bnnk_a, plan=world["plan_a"], text="Baik")
    edit_fu, drop_fu = (
        url(regency_a, f"tindak-lanjut/{row.pk}/ubah/"),
        url(regency_a, f"tindak-lanjut/{row.pk}/hapus/"),
    )
    edit_c, drop_c = (
        url(regency_a, f"komentar/{comment.pk}/ubah/"),
        url(regency_a, f"komentar/{comment.pk}/hapus/"),
    )
    for user in (bnnk_b, bnnp_other):  # another kab/kota or province: 404, as the module's other views
        client.force_login(user)
        for path in (edit_fu, drop_fu, edit_c, drop_c):
            assert client.post(path, {"date": "2026-11-01", "progress": "9", "text": "x"}).status_code == 404
    client.force_login(bnnk_a)  # in scope, not allowed: the reason said, nothing changed
    response = client.post(drop_fu, follow=True)
    assert (
        "Hanya BNNP provinsi ini yang dapat mengubah atau menghapus tindak lanjut."
        in response.content.decode()
    )
    assert client.get(edit_fu).status_code == 405
    client.force_login(bnnp_a)
    response = client.post(drop_c, follow=True)
    assert "Hanya penulis komentar yang dapat mengubah atau menghapusnya." in response.content.decode()
    bad = {
        "date": "2026-11-01",
        "progress": "70",
        "note": "x",
        "file": SimpleUploadedFile("x.pdf", b"<html>hi</html>"),
    }
    response = client.post(edit_fu, bad, follow=True)
    assert "Jenis berkas tidak diizinkan" in response.content.decode()
    row.refresh_from_db()
    assert row.progress == 20 and row.file.read() == PDF
    response = client.post(edit_fu, {"date": "2026-11-01", "progress": "70", "note": "Hampir selesai"})
    assert response.status_code == 302 and response["Location"].endswith(f"#butir-{item.pk}")
    row.refresh_from_db()
    assert (row.progress, row.note, row.date) == (70, "Hampir selesai", datetime.date(2026, 11, 1))
    assert client.post(drop_fu).status_code == 302
    body = client.get(url(regency_a)).content.decode()
    assert "Hampir selesai" not in body and not FollowUp.objects.exists()
    assert FollowUp.history.filter(id=row.pk, history_type="-", history_user=bnnp_a).exists()
    client.force_login(bnnk_a)
    client.post(edit_c, {"text": "Baik, kami jadwalkan"})
    assert PlanComment.objects.get().text == "Baik, kami jadwalkan"
    client.post(drop_c)
    assert not PlanComment.objects.exists() and PlanComment.history.filter(id=comment.pk).count() == 3


def test_correction_forms_in_english(client, settings, world, regency_a, bnnp_a):
    monev_services.follow_up_add(
        user=bnnp_a, item=world["items"]["late"], date=TODAY, progress=5, note="x", today=TODAY
    )
    monev_services.comment_add(user=bnnp_a, plan=world["plan_a"], text="Mohon percepat")
    client.force_login(bnnp_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(url(regency_a)).content.decode()
    assert (
        "Yes, delete the follow-up" in body and "Yes, delete the comment" in body and "Save changes" in body
    )
    assert "Ya, hapus" not in body and "Simpan perubahan" not in body
