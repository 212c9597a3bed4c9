"""The configuration snapshot: a readable database copy, keys sealed, no master key, README's recipe."""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess

import pytest
from django.db import connection

from anemone import crypto
from anemone.engines.files import write_private_file
from usbbackup import layout, snapshot


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite path; PostgreSQL has its own test")
@pytest.mark.django_db(transaction=True)
def test_it_stages_a_consistent_database_copy_and_sealed_keys(alice, data_dir):
    (data_dir / "certs" / "ssh").mkdir(parents=True)
    (data_dir / "certs" / "ssh" / "id_ed25519").write_text("PRIVATE KEY\n")
    write_private_file(crypto.recovery_kit_path(), crypto.recovery_kit_text("home"))
    stage = snapshot.stage_config(7)
    names = sorted(p.name for p in stage.folder.iterdir())
    assert names == ["database.sqlite3", "keys.sealed.json", "settings.json"]
    with sqlite3.connect(stage.folder / "database.sqlite3") as db:
        assert ("alice",) in db.execute("select username from accounts_user").fetchall()
    keys = json.loads((stage.folder / "keys.sealed.json").read_text())["keys"]
    assert [k["path"] for k in keys] == ["certs/ssh/id_ed25519"]  # not master.key, not the kit
    master_b64 = base64.b64encode(crypto.load_master_key()).decode()
    for path in stage.folder.iterdir():
        assert master_b64 not in path.read_text(errors="replace")
        assert b"PRIVATE KEY" not in path.read_bytes()
    settings_json = json.loads((stage.folder / "settings.json").read_text())
    assert settings_json["master_key_id"] == crypto.key_id(crypto.load_master_key())
    assert settings_json["database_vendor"] == "sqlite"
    snapshot.discard_stage(7)
    assert not stage.folder.exists()


def test_it_refuses_to_copy_the_database_from_inside_a_transaction(alice):
    from anemone.runs.services import StepError

    if connection.vendor == "sqlite":
        with pytest.raises(StepError, match="inside a transaction"):
            snapshot.stage_config(8)


def test_it_unseals_keys_back_with_the_kit_key_only(master_key, data_dir, tmp_path):
    (data_dir / "certs").mkdir(exist_ok=True)
    (data_dir / "certs" / "wg.key").write_text("wireguard secret")
    (data_dir / "secret_key").write_text("django secret")
    target = tmp_path / "keys.json"
    assert snapshot.seal_keys(target) == 2
    (data_dir / "certs" / "wg.key").unlink()
    (data_dir / "secret_key").unlink()
    written = snapshot.unseal_keys(target, master_key)
    assert sorted(map(str, written)) == ["certs/wg.key", "secret_key"]
    assert (data_dir / "certs" / "wg.key").read_text() == "wireguard secret"
    assert (data_dir / "certs" / "wg.key").stat().st_mode & 0o077 == 0
    with pytest.raises(crypto.SealError):
        snapshot.unseal_keys(target, b"\x01" * 32)


def test_it_documents_a_password_recipe_that_matches_derive_secret(master_key):
    text = layout.readme_text("home", crypto.key_id(master_key), "anemone-backup")
    assert "usb_restore" in text and "restic -r repo" in text
    b64 = base64.b64encode(master_key).decode()
    recipe = f"(printf 'anemone:{layout.REPO_SECRET_PURPOSE}:'; printf '%s' '{b64}' | base64 -d) | sha256sum | cut -d' ' -f1"
    assert f"printf 'anemone:{layout.REPO_SECRET_PURPOSE}:'" in text
    out = subprocess.run(["bash", "-c", recipe], capture_output=True, text=True, check=True).stdout.strip()
    assert out == crypto.derive_secret("usb-repo", master_key)
