"""A GET creates nothing: the check lives in the access matrix's walk (tests/test_access_matrix.py:
Runner.created_rows, MAY_ADD, the late_participant fixture), which requests every page as each role once
for all its checks. This module keeps what that walk cannot show of itself: the check fails when a GET
does add a row, or gives the late participant a collection."""

import pytest
from django.contrib.auth.models import Group
from django.core.signals import request_started
from django.test import Client

from assessments.models import Collection
from tests import test_access_matrix as matrix
from tests.test_access_matrix import Runner, build_path, cases_for, default_args, url_entries

# The access matrix's world and its kab/kota that joined the period without a collection.
media = matrix.media
world = matrix.world
late_participant = matrix.late_participant

pytestmark = pytest.mark.django_db


def test_the_matrix_walk_reports_a_get_that_creates_something(world, media, late_participant):
    client = Client()
    client.force_login(world.users["bnnk_a"])
    runner = Runner(world, "bnnk_a", client, media, late_participant)
    entry = next(e for e in url_entries() if e.key == "assessments:collection")
    case = cases_for(entry)[0]
    path = build_path(entry.route, default_args(world))

    def add_a_group(**kwargs):
        Group.objects.create(name="dibuat oleh GET")

    def give_b_collection_to_the_late_participant(**kwargs):  # no new row: only the late participant check
        Collection.objects.filter(pk=world.coll_b.pk).update(regency=late_participant)

    for receiver in (add_a_group, give_b_collection_to_the_late_participant):
        request_started.connect(receiver)
        try:
            runner.run(entry, case)
        finally:
            request_started.disconnect(receiver)
    runner.run(entry, case)  # rolled back: the page itself adds nothing
    assert runner.failures == [
        f"bnnk_a GET assessments:collection {path}: a GET created rows (new rows per table): {{'auth.Group': 1}}",
        f"bnnk_a GET assessments:collection {path}: a GET created the collection of {late_participant.name}, "
        "a participant without one",
    ]
    assert runner.gets_checked == 3
