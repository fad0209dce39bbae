"""Bulk onboarding: reading sheets, each row's problem, all-or-nothing creation, invitations, the pages."""

import io
import re

import openpyxl
import pytest
from django.core import mail

from accounts import onboarding
from accounts.models import Role, User
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

HEADER = ["nama", "email", "peran", "kode_wilayah"]
GOOD = [
    ["Petugas Kota Malang", "petugas.malang@bnn.go.id", "bnnk", "3573"],
    ["Koordinator Jatim", "Koordinator.Jatim@BNN.go.id", "BNNP", "35"],
    ["Analis Pusat", "analis@bnn.go.id", "BNN pusat", ""],
]


def xlsx(rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, header=HEADER, *, bom=False, sep=",") -> bytes:
    text = "\r\n".join(sep.join(map(str, r)) for r in [header, *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def problems(rows):
    checked = onboarding.check_rows(onboarding.read_sheet(xlsx(rows), "pengguna.xlsx"))
    return [" ".join(c.problems) for c in checked]


# --- reading ----------------------------------------------------------------------------------------


def test_reads_xlsx_with_numeric_codes_and_blank_rows():
    data = xlsx([["A", "a@x.id", "bnnk", 3573], [None, None, None, None], ["B", "b@x.id", "bnnp", 35.0]])
    rows = onboarding.read_sheet(data, "u.xlsx")
    assert [(r.line, r.name, r.code) for r in rows] == [(2, "A", "3573"), (4, "B", "35")]


@pytest.mark.parametrize("bom", [True, False])
def test_reads_utf8_csv_with_or_without_bom(bom):
    rows = onboarding.read_sheet(csv_bytes([["Siti Aminah", "siti@x.id", "bnnk", "3573"]], bom=bom), "u.csv")
    assert rows[0].name == "Siti Aminah" and rows[0].email == "siti@x.id"


def test_reads_semicolon_csv_and_header_aliases():
    data = csv_bytes(
        [["Dédé", "d@x.id", "BNNK", "35.73"]], header=["Nama", "E-mail", "Role", "Kode wilayah"], sep=";"
    )
    rows = onboarding.read_sheet(data, "u.csv")
    assert rows[0].name == "Dédé"
    checked = onboarding.check_rows(rows)
    assert checked[0].ok and checked[0].regency.code == "3573"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "u.csv", "kosong"),
        (bytes(range(256)) * 20, "u.xlsx", "tidak dapat dibaca sebagai XLSX"),
        (b"PK\x03\x04" + b"\x00garbage" * 50, "u.bin", "tidak dapat dibaca sebagai XLSX"),
        (bytes(range(256)) * 20, "u.csv", "bukan CSV teks"),
        ("nama,email\n".encode("utf-16"), "u.csv", "bukan CSV teks"),
        ("nama;email;peran;kode_wilayah\nJosé;j@x.id;bnnk;3573\n".encode("latin-1"), "u.csv", "bukan UTF-8"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "u.xls", ".xls lama"),
        (b"nama,email\nA,a@x.id\n", "u.csv", "Kolom wajib tidak ditemukan: peran, kode_wilayah"),
        (b"nama,email,peran,kode_wilayah\n", "u.csv", "belum ada baris"),
        (b"%PDF-1.4", "u.pdf", "tidak didukung"),
        (b"x" * (onboarding.MAX_BYTES + 1), "u.csv", "terlalu besar"),
    ],
)
def test_unusable_files_give_a_message(data, name, message):
    with pytest.raises(onboarding.SheetError) as exc:
        onboarding.read_sheet(data, name)
    assert message in exc.value.message


# --- checking ---------------------------------------------------------------------------------------


def test_a_good_sheet_has_no_problems():
    assert problems(GOOD) == ["", "", ""]


def test_each_bad_row_names_its_problem(bnnk_a):
    found = problems(
        [
            ["Kode asing", "a@x.id", "bnnk", "9999"],
            ["Kode provinsi untuk BNNK", "b@x.id", "bnnk", "35"],
            ["Kode kab/kota untuk BNNP", "c@x.id", "bnnp", "3573"],
            ["Tanpa wilayah", "d@x.id", "bnnk", ""],
            ["Tanpa provinsi", "e@x.id", "bnnp", ""],
            ["Pusat berwilayah", "f@x.id", "pusat", "35"],
            ["Peran aneh", "g@x.id", "camat", "3573"],
            ["", "h@x.id", "pusat", ""],
            ["E-mail rusak", "bukan-email", "pusat", ""],
            ["Kembar 1", "kembar@x.id", "pusat", ""],
            ["Kembar 2", "KEMBAR@x.id", "pusat", ""],
            ["Sudah ada", "BNNK_A@example.test", "bnnk", "3573"],
            ["Tanpa e-mail", "", "pusat", ""],
            ["Tanpa peran", "i@x.id", "", "3573"],
        ]
    )
    expected = [
        "Kode wilayah 9999 tidak dikenal.",
        "35 adalah kode provinsi (Jawa Timur); pengguna BNNK memerlukan kode kabupaten/kota",
        "3573 adalah kode kabupaten/kota (Kota Malang); pengguna BNNP memerlukan kode provinsi",
        "Pengguna BNNK wajib memiliki kode kabupaten/kota",
        "Pengguna BNNP wajib memiliki kode provinsi",
        "BNN pusat tidak terikat wilayah",
        'Peran "camat" tidak dikenal',
        "Nama wajib diisi.",
        'E-mail "bukan-email" tidak valid.',
        "muncul lebih dari sekali di lembar (juga baris 12)",
        "muncul lebih dari sekali di lembar (juga baris 11)",
        "Sudah ada pengguna dengan e-mail ini.",
        "E-mail wajib diisi.",
        "Peran wajib diisi",
    ]
    assert len(found) == len(expected)
    for text, fragment in zip(found, expected, strict=True):
        assert fragment in text, (text, fragment)


def test_check_queries_do_not_grow_with_the_sheet(django_assert_num_queries):
    rows = onboarding.read_sheet(
        xlsx([[f"U{i}", f"u{i}@x.id", "bnnk", "3573"] for i in range(200)]), "u.xlsx"
    )
    with django_assert_num_queries(3):
        checked = onboarding.check_rows(rows)
    assert all(c.ok for c in checked)


# --- creating ---------------------------------------------------------------------------------------


def test_create_users_sets_role_scope_username_and_no_password():
    users = onboarding.create_users(onboarding.read_sheet(xlsx(GOOD), "u.xlsx"))
    by_email = {u.email: u for u in User.objects.filter(pk__in=[u.pk for u in users])}
    bnnk = by_email["petugas.malang@bnn.go.id"]
    assert (bnnk.role, bnnk.regency.code, bnnk.province) == (Role.BNNK, "3573", None)
    assert bnnk.username == "petugas.malang@bnn.go.id" and bnnk.get_full_name() == "Petugas Kota Malang"
    bnnp = by_email["Koordinator.Jatim@BNN.go.id"]
    assert (bnnp.role, bnnp.province.code, bnnp.regency) == (Role.BNNP, "35", None)
    assert bnnp.username == "koordinator.jatim@bnn.go.id"
    pusat = by_email["analis@bnn.go.id"]
    assert (pusat.role, pusat.regency, pusat.province) == (Role.PUSAT, None, None)
    assert not any(u.has_usable_password() for u in by_email.values())


def test_one_bad_row_creates_nobody():
    rows = onboarding.read_sheet(xlsx([*GOOD, ["X", "x@x.id", "bnnk", "0000"]]), "u.xlsx")
    before = User.objects.count()
    with pytest.raises(onboarding.ImportRefused) as exc:
        onboarding.create_users(rows)
    assert User.objects.count() == before
    assert [c.ok for c in exc.value.checked] == [True, True, True, False]


# --- pages ------------------------------------------------------------------------------------------


def upload(client, data, name="pengguna.xlsx"):
    return client.post("/pengguna/impor/", {"berkas": io.BytesIO(data) | _Named(name)})


class _Named:
    """io.BytesIO(data) | _Named("x.csv"): a file object with a name, as the test client uploads it."""

    def __init__(self, name):
        self.name = name

    def __ror__(self, buffer):
        buffer.name = self.name
        return buffer


@pytest.mark.parametrize("who", ["bnnk_a", "bnnp_a"])
def test_only_national_users_may_import(who, request, client_for):
    client = client_for(request.getfixturevalue(who))
    assert client.get("/pengguna/impor/").status_code == 403
    assert upload(client, xlsx(GOOD)).status_code == 403
    assert client.get("/pengguna/impor/pratinjau/").status_code == 403
    assert client.post("/pengguna/impor/buat/", {"impor": "x"}).status_code == 403
    assert client.get("/pengguna/impor/contoh.xlsx").status_code == 403
    assert client.post("/pengguna/undangan/kirim-ulang/", {"email": "a@x.id"}).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/pengguna/impor/")
    assert response.status_code == 302 and "/akun/login/" in response.url


def test_superuser_without_pusat_role_may_import(client_for, regency_a):
    admin = make_user("root", Role.BNNK, regency=regency_a, is_superuser=True, is_staff=True)
    assert client_for(admin).get("/pengguna/impor/").status_code == 200


def test_preview_shows_problems_and_refuses_to_create(client_for, pusat):
    client = client_for(pusat)
    response = upload(client, xlsx([*GOOD, ["Salah", "s@x.id", "bnnk", "35"]]))
    assert response.status_code == 302 and response.url == "/pengguna/impor/pratinjau/"
    page = client.get("/pengguna/impor/pratinjau/")
    html = page.content.decode()
    assert page.context["bad_count"] == 1 and page.context["good_count"] == 3
    assert "adalah kode provinsi" in html and "semua-atau-tidak-sama-sekali" in html
    assert re.search(
        r'data-testid="import-create"[^>]*disabled|disabled[^>]*data-testid="import-create"', html
    )
    response = client.post("/pengguna/impor/buat/", {"impor": client.session["user_import"]["id"]})
    assert response.url == "/pengguna/impor/pratinjau/"
    assert not User.objects.filter(email="analis@bnn.go.id").exists()
    assert mail.outbox == []


def test_garbage_upload_gives_a_message_not_a_500(client_for, pusat):
    client = client_for(pusat)
    response = upload(client, bytes(range(256)) * 40, "pengguna.xlsx")
    assert response.status_code == 400
    assert "tidak dapat dibaca sebagai XLSX" in response.content.decode()
    response = client.post("/pengguna/impor/", {})
    assert response.status_code == 400 and "Pilih berkas" in response.content.decode()
    assert client.get("/pengguna/impor/pratinjau/").url == "/pengguna/impor/"


def test_valid_sheet_creates_users_and_the_invitation_sets_a_password(client_for, client, pusat):
    staff = client_for(pusat)
    upload(staff, csv_bytes(GOOD, bom=True), "pengguna.csv")
    preview = staff.get("/pengguna/impor/pratinjau/")
    assert preview.context["bad_count"] == 0
    import_id = staff.session["user_import"]["id"]
    assert staff.post("/pengguna/impor/buat/", {"impor": "stale"}).url == "/pengguna/impor/"
    response = staff.post("/pengguna/impor/buat/", {"impor": import_id}, follow=True)
    assert "3 pengguna dibuat dan diundang" in response.content.decode()
    assert "user_import" not in staff.session
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r[1] for r in GOOD)
    # A second click on the same preview creates nothing more.
    assert staff.post("/pengguna/impor/buat/", {"impor": import_id}).url == "/pengguna/impor/"
    assert User.objects.filter(email__iendswith="@bnn.go.id").count() == 3

    invitation = next(m for m in mail.outbox if m.to == ["petugas.malang@bnn.go.id"])
    assert "Kota Malang" in invitation.body and "KOTAN" in invitation.subject
    link = re.search(r"http://testserver(/akun/reset/\S+/)", invitation.body).group(1)
    staff.logout()
    form = client.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Narkoba-Tanggap-2026", "new_password2": "Narkoba-Tanggap-2026"},
    )
    assert done.status_code == 302
    user = User.objects.get(email="petugas.malang@bnn.go.id")
    assert user.check_password("Narkoba-Tanggap-2026")
    login = client.post(
        "/akun/login/", {"username": "petugas.malang@bnn.go.id", "password": "Narkoba-Tanggap-2026"}
    )
    assert login.status_code == 302 and login.url == "/"
    client.post("/akun/logout/")
    # One-time: the same link no longer works.
    assert not client.get(link, follow=True).context["validlink"]


def test_failed_invitation_mail_still_creates_users_and_warns(client_for, pusat, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.test_notifications.BrokenBackend"}}
    client = client_for(pusat)
    upload(client, xlsx(GOOD[:1]))
    response = client.post(
        "/pengguna/impor/buat/", {"impor": client.session["user_import"]["id"]}, follow=True
    )
    assert User.objects.filter(email="petugas.malang@bnn.go.id").exists()
    assert "Undangan gagal dikirim ke: petugas.malang@bnn.go.id" in response.content.decode()


def test_resend_invitation_only_to_users_without_password(client_for, pusat, bnnk_a):
    onboarding.create_users(onboarding.read_sheet(xlsx(GOOD[:1]), "u.xlsx"))
    client = client_for(pusat)
    response = client.post(
        "/pengguna/undangan/kirim-ulang/", {"email": "PETUGAS.malang@bnn.go.id"}, follow=True
    )
    assert "Undangan baru dikirim" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["petugas.malang@bnn.go.id"]]
    response = client.post("/pengguna/undangan/kirim-ulang/", {"email": bnnk_a.email}, follow=True)
    assert "belum membuat kata sandi" in response.content.decode()
    assert len(mail.outbox) == 1


def test_example_sheet_downloads_and_imports_cleanly(client_for, pusat):
    response = client_for(pusat).get("/pengguna/impor/contoh.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = onboarding.read_sheet(response.content, "contoh.xlsx")
    assert [c.ok for c in onboarding.check_rows(rows)] == [True, True, True]
    assert [r.role for r in rows] == ["bnnk", "bnnp", "pusat"]


def test_cancel_clears_the_preview(client_for, pusat):
    client = client_for(pusat)
    upload(client, xlsx(GOOD))
    client.post("/pengguna/impor/batal/")
    assert "user_import" not in client.session
    assert client.get("/pengguna/impor/pratinjau/").url == "/pengguna/impor/"
