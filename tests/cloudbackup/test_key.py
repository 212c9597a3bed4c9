"""Anemone's SSH key for SFTP destinations: made once, replaced only when asked, the old one kept (item 29)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from cloudbackup import keys
from cloudbackup.models import Kind
from tests.cloudbackup.conftest import make_destination

pytestmark = pytest.mark.django_db


def test_the_cli_makes_the_key_once_and_prints_the_line(master_key, capsys):
    with pytest.raises(CommandError, match="no SSH key yet"):
        call_command("cloud_destination", "key")
    call_command("cloud_destination", "key", "--generate")
    line = capsys.readouterr().out.strip()
    assert line.startswith("restrict ssh-ed25519 ") and line.endswith(keys.public_key())
    call_command("cloud_destination", "key")
    assert capsys.readouterr().out.strip() == line


def test_replacing_the_key_needs_an_explicit_step_and_keeps_the_old_one(master_key, sshd, capsys):
    old = keys.generate()
    make_destination(Kind.SFTP, sshd=sshd, name="offsite")
    with pytest.raises(CommandError, match=r"destinations using it: offsite.*--replace"):
        call_command("cloud_destination", "key", "--generate")
    assert keys.public_key() == old  # unchanged
    call_command("cloud_destination", "key", "--generate", "--replace")
    new = keys.public_key()
    assert new != old and capsys.readouterr().out.strip() == keys.authorized_keys_line(new)
    assert keys.previous_key_path().with_name("rclone_key.previous.pub").read_text().strip() == old
    assert keys.previous_key_path().stat().st_mode & 0o077 == 0


def test_the_page_replaces_the_key_only_once_confirmed(master_key, sshd, admin_user, client):
    old = keys.generate()
    make_destination(Kind.SFTP, sshd=sshd, name="offsite")
    client.force_login(admin_user)
    page = client.get("/cloud/").content.decode()
    assert "offsite" in page and 'name="confirm"' in page  # says which destinations it breaks
    client.post("/cloud/key/")
    assert keys.public_key() == old
    client.post("/cloud/key/", {"confirm": "1"})
    assert keys.public_key() != old and keys.previous_key_path().exists()
