"""Notification services: the right recipients, one e-mail each, mail failures swallowed; the list page."""

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from accounts.models import Role
from assessments import selectors, workflow
from assessments.models import Collection
from notifications import services
from notifications.models import Notification
from tests.conftest import make_user
from tests.factories import make_collection, make_period

pytestmark = pytest.mark.django_db


class BrokenBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP down")


@pytest.fixture
def broken_mail(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.test_notifications.BrokenBackend"}}


@pytest.fixture
def collection(regency_a):
    return make_collection(regency_a)


def recipients(rows):
    return sorted(n.recipient.username for n in rows)


def test_submitted_goes_to_bnnp_of_the_province_only(collection, bnnp_a, bnnp_other, bnnk_a, pusat):
    colleague = make_user("bnnp_a2", Role.BNNP, province=bnnp_a.province)
    make_user("bnnp_gone", Role.BNNP, province=bnnp_a.province, is_active=False)
    rows = services.notify_collection_submitted(collection)
    assert recipients(rows) == ["bnnp_a", "bnnp_a2"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([bnnp_a.email, colleague.email])
    message = mail.outbox[0]
    assert "Kota Malang" in message.subject
    assert f"/survei/periode/{collection.period.year}/3573/" in message.body
    assert rows[0].url.startswith("/survei/")
    assert Notification.objects.filter(recipient=bnnp_other).count() == 0
    assert all(n.emailed_at is not None for n in Notification.objects.all())


def test_returned_goes_to_bnnk_of_the_regency_only(collection, bnnk_a, bnnk_b, bnnk_other, bnnp_a):
    rows = services.notify_collection_returned(collection, "Kuesioner RT 3 tidak lengkap.\nSK kedaluwarsa.")
    assert recipients(rows) == ["bnnk_a"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [bnnk_a.email]
    assert "dikembalikan" in mail.outbox[0].subject
    assert "SK kedaluwarsa." in mail.outbox[0].body
    assert rows[0].kind == Notification.Kind.RETURNED


def test_verified_goes_to_bnnk_of_the_regency_only(collection, bnnk_a, bnnk_b, bnnp_a):
    rows = services.notify_collection_verified(collection)
    assert recipients(rows) == ["bnnk_a"]
    assert [m.to for m in mail.outbox] == [[bnnk_a.email]]
    assert "diverifikasi" in mail.outbox[0].subject


def test_province_verified_goes_to_pusat_once(collection, pusat, bnnp_a, bnnk_a):
    admin = make_user("admin2", Role.PUSAT, is_superuser=True, is_staff=True)
    rows = services.notify_province_verified(collection.period, collection.regency.province)
    assert recipients(rows) == ["admin2", "pusat"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([pusat.email, admin.email])
    assert "Jawa Timur" in mail.outbox[0].subject
    # A reopen followed by a second verification does not send the same news again.
    assert services.notify_province_verified(collection.period, collection.regency.province) == []
    assert len(mail.outbox) == 2


def test_a_user_without_email_still_gets_the_in_app_row(collection, bnnk_a):
    bnnk_a.email = ""
    bnnk_a.save()
    rows = services.notify_collection_verified(collection)
    assert recipients(rows) == ["bnnk_a"]
    assert mail.outbox == []
    assert rows[0].emailed_at is None


def test_failing_mail_never_raises_and_keeps_the_row(collection, bnnp_a, broken_mail, caplog):
    rows = services.notify_collection_submitted(collection)
    assert recipients(rows) == ["bnnp_a"]
    notification = Notification.objects.get(recipient=bnnp_a)
    assert notification.emailed_at is None
    assert "failed" in caplog.text


def test_submit_through_the_workflow_notifies_the_province(
    collection, bnnp_a, bnnp_other, bnnk_a, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(selectors, "collection_missing", lambda c: [])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.collection_submit(collection=collection, user=bnnk_a)
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [("bnnp_a", "submitted")]


def test_link_falls_back_when_the_page_does_not_exist(collection):
    assert services.collection_url(collection, "no:such") == (
        f"/survei/periode/{collection.period.year}/3573/"
    )
    assert services.absolute_url("/x/").endswith("/x/")
    assert services.absolute_url("/x/").startswith("http")


# --- province_fully_verified -----------------------------------------------------------------------


def test_province_fully_verified(regency_a, regency_b, regency_other):
    period = make_period(regencies=[regency_a, regency_b, regency_other])
    a = make_collection(regency_a, period)
    b = make_collection(regency_b, period)
    make_collection(regency_other, period)  # another province, still draft
    province = regency_a.province
    assert not services.province_fully_verified(period, province)
    Collection.objects.filter(pk=a.pk).update(state=Collection.State.VERIFIED)
    assert not services.province_fully_verified(period, province)
    Collection.objects.filter(pk=b.pk).update(state=Collection.State.FINAL)
    assert services.province_fully_verified(period, province)
    Collection.objects.filter(pk=b.pk).update(state=Collection.State.RETURNED)
    assert not services.province_fully_verified(period, province)


def test_province_fully_verified_needs_a_collection_for_every_participant(regency_a, regency_b):
    period = make_period(regencies=[regency_a, regency_b])
    a = make_collection(regency_a, period)
    Collection.objects.filter(pk=a.pk).update(state=Collection.State.VERIFIED)
    assert not services.province_fully_verified(period, regency_a.province)  # Kab. Malang has none yet
    empty = make_period(regencies=[])
    assert not services.province_fully_verified(empty, regency_a.province)


# --- the list page ---------------------------------------------------------------------------------


def _note(user, title="Judul", **kw):
    return Notification.objects.create(recipient=user, kind="verified", title=title, url="/survei/", **kw)


def test_list_shows_only_mine_newest_first_and_paginates(client_for, bnnk_a, bnnk_b):
    for i in range(23):
        _note(bnnk_a, f"Catatan {i:02d}")
    _note(bnnk_b, "Bukan milik saya")
    client = client_for(bnnk_a)
    page1 = client.get("/notifikasi/")
    titles = [n.title for n in page1.context["page"]]
    assert titles[0] == "Catatan 22" and len(titles) == 20
    assert "Bukan milik saya" not in page1.content.decode()
    assert "23 belum dibaca" in page1.content.decode()
    page2 = client.get("/notifikasi/", {"hal": "2"})
    assert [n.title for n in page2.context["page"]] == ["Catatan 02", "Catatan 01", "Catatan 00"]
    assert client.get("/notifikasi/", {"hal": "zz"}).status_code == 200


def test_list_query_count_is_fixed(client_for, bnnk_a, django_assert_num_queries):
    for i in range(5):
        _note(bnnk_a, f"N{i}")
    client = client_for(bnnk_a)
    client.get("/notifikasi/")
    # user, the navbar's kab/kota, page count, unread count, page rows (the session is in the cache)
    with django_assert_num_queries(5):
        client.get("/notifikasi/")
    for i in range(30):
        _note(bnnk_a, f"M{i}")
    with django_assert_num_queries(5):
        client.get("/notifikasi/")


def test_mark_read_and_mark_all(client_for, bnnk_a, bnnk_b):
    first, second = _note(bnnk_a, "Satu"), _note(bnnk_a, "Dua")
    foreign = _note(bnnk_b, "Lain")
    client = client_for(bnnk_a)
    assert client.get(f"/notifikasi/{first.pk}/dibaca/").status_code == 405
    response = client.post(f"/notifikasi/{first.pk}/dibaca/", {"next": "/notifikasi/?belum=1"})
    assert response.status_code == 302 and response.url == "/notifikasi/?belum=1"
    first.refresh_from_db()
    assert first.read_at is not None
    assert [n.title for n in client.get("/notifikasi/", {"belum": "1"}).context["page"]] == ["Dua"]
    assert client.post(f"/notifikasi/{foreign.pk}/dibaca/").status_code == 404
    response = client.post("/notifikasi/semua-dibaca/", {"next": "https://evil.example/"})
    assert response.url == "/notifikasi/"
    second.refresh_from_db()
    foreign.refresh_from_db()
    assert second.read_at is not None and foreign.read_at is None


def test_open_marks_read_and_follows_only_local_links(client_for, bnnk_a, bnnk_b):
    note = _note(bnnk_a)
    evil = Notification.objects.create(
        recipient=bnnk_a, kind="verified", title="x", url="https://evil.example/"
    )
    client = client_for(bnnk_a)
    response = client.get(f"/notifikasi/{note.pk}/")
    assert response.status_code == 302 and response.url == "/survei/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert client.get(f"/notifikasi/{evil.pk}/").url == "/notifikasi/"
    assert client.get(f"/notifikasi/{_note(bnnk_b).pk}/").status_code == 404


def test_unread_count_endpoint_and_navbar_link(client_for, bnnk_a, bnnk_b, django_assert_num_queries):
    _note(bnnk_a)
    _note(bnnk_a, read_at="2026-01-01T00:00:00Z")
    _note(bnnk_b)
    client = client_for(bnnk_a)
    client.get("/notifikasi/jumlah/")
    with django_assert_num_queries(2):  # user, one COUNT (the session is in the cache)
        data = client.get("/notifikasi/jumlah/").json()
    assert data == {"unread": 1, "label": "1 belum dibaca"}
    home = client.get("/").content.decode()
    assert 'data-testid="nav-notifications"' in home and "/notifikasi/jumlah/" in home


def test_pages_need_login(client):
    for url in ["/notifikasi/", "/notifikasi/jumlah/", "/notifikasi/1/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/akun/login/" in response.url
