"""A newcomer's whole path in a real browser: setup → recovery kit → add a person → activation →
backup key → upload two files → download one (bytes identical) → delete → restore from the trash."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ADMIN_PASSWORD = "pale blue whale 42"
ALICE_PASSWORD = "alice's garden gnome"


def shot(page, tmp_path, name):
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def confirm_all_and_continue(page):
    for box in page.locator("input[type=checkbox]").all():
        box.check()
    page.get_by_role("button", name="Continue").click()


def test_it_walks_a_newcomer_from_setup_to_restoring_from_the_trash(page, live_server, tmp_path):
    page.goto(live_server.url + "/")
    assert "/setup/" in page.url
    page.fill("#id_server_name", "family-nas")
    page.fill("#id_username", "admin")
    page.fill("#id_password1", ADMIN_PASSWORD)
    page.fill("#id_password2", ADMIN_PASSWORD)
    shot(page, tmp_path, "01-setup")
    page.get_by_role("button", name="Create the server").click()

    kit = page.locator("#recovery-kit").inner_text()
    assert "Master key:" in kit
    with page.expect_download() as download:
        page.click("#download-kit")
    assert "Master key:" in open(download.value.path()).read()
    shot(page, tmp_path, "02-recovery-kit")
    confirm_all_and_continue(page)
    assert page.locator("#backup-key").inner_text().strip()
    confirm_all_and_continue(page)

    page.goto(live_server.url + "/users/")
    page.fill("#id_username", "alice")
    page.fill("#id_email", "alice@example.org")
    page.get_by_role("button", name="Add and create the activation link").click()
    link = page.locator("#account-link").get_attribute("href")
    assert "/activate/" in link
    shot(page, tmp_path, "03-activation-link")
    page.context.clear_cookies()

    page.goto(link)
    page.fill("#id_password1", ALICE_PASSWORD)
    page.fill("#id_password2", ALICE_PASSWORD)
    page.get_by_role("button", name="Activate my account").click()
    key = page.locator("#backup-key").inner_text().strip()
    assert len(key) >= 40
    shot(page, tmp_path, "04-backup-key")
    page.get_by_role("button", name="Continue").click()
    assert "/account/backup-key/" in page.url  # both boxes are required
    confirm_all_and_continue(page)
    assert page.get_by_text("Hello alice").is_visible()

    page.goto(live_server.url + "/files/?area=backup")
    photo, notes = tmp_path / "photo.jpg", tmp_path / "notes.txt"
    photo.write_bytes(bytes(range(256)) * 400)
    notes.write_text("milk, eggs, flour\n")
    page.set_input_files("#upload-form input[type=file]", [str(photo), str(notes)])
    page.locator("#upload-form button").click()
    assert page.locator("tr.entry").count() == 2
    shot(page, tmp_path, "05-uploaded")

    with page.expect_download() as download:
        page.locator("tr.entry[data-name='photo.jpg'] a.download").click()
    assert open(download.value.path(), "rb").read() == photo.read_bytes()

    row = page.locator("tr.entry[data-name='photo.jpg']")
    row.locator("summary").click()
    row.locator("button.delete").click()
    assert page.locator("tr.entry[data-name='photo.jpg']").count() == 0

    page.goto(live_server.url + "/files/trash/")
    shot(page, tmp_path, "06-trash")
    page.locator("tr.trash-entry[data-name='photo.jpg'] button.restore").click()
    page.goto(live_server.url + "/files/?area=backup")
    assert page.locator("tr.entry[data-name='photo.jpg']").count() == 1
    with page.expect_download() as download:
        page.locator("tr.entry[data-name='photo.jpg'] a.download").click()
    assert open(download.value.path(), "rb").read() == photo.read_bytes()
    shot(page, tmp_path, "07-restored")
