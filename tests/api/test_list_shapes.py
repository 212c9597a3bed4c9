"""Every list endpoint answers in the shape the schema gives it: {count, next, previous, results} where the
schema says paginated, a plain JSON list where it says array (issue #12 item 5: two lists were documented
as paginated but answered plain lists). Fetched for real, as an admin, with one object of each kind so the
per-object lists (health checks, a USB job's snapshots after a real backup) answer too."""

from __future__ import annotations

import pytest

from anemone.files.paths import user_root
from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from tests.api.test_schema_contract import schema
from tests.p2p.test_views import add_peer
from tests.usbbackup.conftest import mounts, usb_drive, usb_root, write_tree  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)  # the USB backup copies the database

# Lists left out, because answering them means reaching a peer over the network (the test's peer is a
# documentation address that must not be contacted): a person's snapshots on a peer, a folder of one.
NOT_FETCHED = {"/api/v1/p2p/snapshots/", "/api/v1/p2p/snapshots/browse/"}
QUERY = {"/api/v1/files/": {"area": "backup"}}


def list_endpoints() -> dict[str, str]:
    """path → "paginated" or "list", for every GET whose 200 answer is a list, paginated or not."""
    shapes = {}
    for path, methods in schema()["paths"].items():
        answer = methods.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        body = answer.get("application/json", {}).get("schema", {})
        if body.get("$ref", "").rsplit("/", 1)[-1].startswith("Paginated"):
            shapes[path] = "paginated"
        elif body.get("type") == "array":
            shapes[path] = "list"
    return shapes


@pytest.fixture
def one_of_each(admin_user, alice, usb_drive):  # type: ignore[no-untyped-def]  # noqa: F811 (the fixture)
    from cloudbackup.models import Destination
    from usbbackup import detection, services
    from usbbackup.models import Scope, UsbBackup

    target = add_peer("friend", alice)
    Destination.objects.create(name="offsite", host="sftp.invalid", username="anemone")
    write_tree(user_root("alice"), {"backup/notes.txt": b"notes\n"})
    job = UsbBackup(name="drawer", scope=Scope.CONFIG_USERS)
    services.set_drive(job, detection.find_mount(str(usb_drive)))
    job = services.save_job(job, users=[alice])
    run = request_run("usb", job, inline=True)
    assert run.status == RunStatus.SUCCEEDED, run.message
    return {"peers": target.peer.pk, "p2p": target.pk, "usb": job.pk}


def test_every_list_answers_in_the_shape_its_schema_says(api, admin_user, one_of_each):
    shapes = list_endpoints()
    assert {"/api/v1/runs/", "/api/v1/trash/", "/api/v1/usb/backups/{id}/snapshots/"} <= set(shapes)
    client = api(admin_user)
    checked, wrong = {}, []
    for path, shape in shapes.items():
        if path in NOT_FETCHED:
            continue
        url = path.replace("{id}", str(one_of_each[path.split("/")[3]])) if "{id}" in path else path
        response = client.get(url, QUERY.get(path, {}))
        assert response.status_code == 200, (path, response.content[:300])
        body = response.json()
        answered = "paginated" if isinstance(body, dict) and set(body) == {"count", "next", "previous", "results"} \
            and isinstance(body["results"], list) else "list" if isinstance(body, list) else type(body).__name__
        if answered != shape:
            wrong.append(f"{path}: the schema says {shape}, the answer is a {answered}")
        checked[path] = answered
    assert not wrong, "\n".join(wrong)
    assert checked["/api/v1/usb/backups/{id}/snapshots/"] == "list"
    assert checked["/api/v1/runs/"] == "paginated"
