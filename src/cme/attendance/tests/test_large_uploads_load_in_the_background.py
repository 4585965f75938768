"""Register uploads are kept on disk and loaded by the task queue with the load followed on a page
(issue 15 point 2): the request never reads the file into memory; one size limit for a register
file on the page, the API and the command; a full disk is said plainly and nothing is kept. The
personas: an officer and a manager of LA A follow A's uploads; an officer of LA B sees none."""

import errno
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.attendance.models import RegisterUpload, RegisterYear
from cme.attendance.tests.test_register_broken_files_refused import HEADER, rows
from cme.testing import factories as f
from cme.testing.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupil(la_a, school_a):
    import datetime as dt

    child = f.make_child(la_a, upn=f.make_upn("901", "2001", serial=31))
    f.enrol(child, school_a, entry=dt.date(2025, 9, 3), upn=child.upn)
    return child


@pytest.fixture
def staging(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path / "uploads"


def _post(client, data: bytes, capture):
    with capture(execute=True):
        return client.post("/attendance/registers/upload",
                           {"file": SimpleUploadedFile("reg.csv", data, content_type="text/csv")})


def test_an_upload_is_loaded_in_the_background_and_followed_on_its_page(
        client_for, officer_a, manager_a, officer_b, pupil, school_a, staging, django_capture_on_commit_callbacks):
    client = client_for(officer_a)
    response = _post(client, (HEADER + "\n".join(rows(pupil, school_a))).encode(), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    status_url = response["Location"]
    assert status_url == f"/attendance/registers/uploads/{RegisterUpload.objects.get().pk}"
    upload = RegisterUpload.objects.get()
    assert upload.state == "queued" and Path(upload.path).exists() and not RegisterYear.objects.exists()
    assert "Waiting to be loaded" in client.get(status_url).text
    assert client.get(status_url + "?format=json").json()["finished"] is False
    run_queued_tasks()  # the worker
    page = client.get(status_url).text
    assert "Registers loaded" in page and "Marks added" in page
    assert RegisterYear.objects.filter(enrolment__child=pupil).exists()
    assert not Path(upload.path).exists()  # the staged file is removed once loaded
    assert client_for(manager_a).get(status_url).status_code == 200
    assert client_for(officer_b).get(status_url).status_code in (403, 404)


def test_a_file_over_the_register_limit_is_refused_on_the_page_and_nothing_is_kept(
        client_for, officer_a, pupil, school_a, staging, settings, django_capture_on_commit_callbacks):
    settings.CME_UPLOAD_LIMITS = {"register": 100}
    response = _post(client_for(officer_a), (HEADER + "\n".join(rows(pupil, school_a))).encode(),
                     django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "The file is larger than the 100 bytes allowed for a register file" in response.text
    assert not RegisterUpload.objects.exists()
    assert not staging.exists() or not any(staging.iterdir())


def test_a_full_disk_is_said_plainly_and_nothing_is_kept(client_for, officer_a, pupil, school_a, staging,
                                                         monkeypatch, django_capture_on_commit_callbacks):
    real_open = open

    def full_disk(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        if "w" in mode and str(path).endswith(".part"):
            def write(_data):
                raise OSError(errno.ENOSPC, "No space left on device")
            handle.write = write
        return handle

    monkeypatch.setattr("builtins.open", full_disk)
    response = _post(client_for(officer_a), (HEADER + "\n".join(rows(pupil, school_a))).encode(),
                     django_capture_on_commit_callbacks)
    monkeypatch.undo()
    assert response.status_code == 200
    assert "The server has no room to keep the file just now" in response.text
    assert not RegisterUpload.objects.exists() and not any(staging.iterdir())


def test_the_command_has_the_same_limit(tmp_path, settings, pupil, school_a):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.CME_UPLOAD_LIMITS = {"register": 100}
    path = tmp_path / "reg.csv"
    path.write_text(HEADER + "\n".join(rows(pupil, school_a)))
    with pytest.raises(CommandError, match="larger than the 100 bytes allowed for a register file"):
        call_command("import-registers", str(path))
