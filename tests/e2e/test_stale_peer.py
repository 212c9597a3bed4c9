"""Issue #13's "done when": Bob's server stops backing up to Alice's; after the threshold Alice's admin and Bob's
contact both receive the message; it clears when backups resume.

Two servers in their own network namespaces (tests/e2e/harness.py). Bob's contact address travels in his
invitation code; the mail server (aiosmtpd) runs on 127.0.0.1 inside Alice's namespace, and the alerts job
(anemone.alerts.conditions.check_all, every 5 minutes in production) runs in Alice's own Django there. Bob
"stops" for four days the way it shows on Alice's disk: his repository's files are aged (os.utime), so the
threshold is the default 3 days and nothing in the product is told a fake time.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timedelta

import pytest

from tests.e2e.harness import Server, connect, pair, start_mail_server
from tests.e2e.test_p2p import BACKUP_TIMEOUT, fill_area, wait_for_tunnel_checks

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

CHECK_ALL = "from anemone.alerts.conditions import check_all; print(check_all())"


def age_folder(host: Server, folder: str, days: float) -> None:
    moment = (datetime.now() - timedelta(days=days)).timestamp()
    for dirpath, _dirs, names in os.walk(host.data_dir / "incoming" / folder):
        for name in names:
            os.utime(os.path.join(dirpath, name), (moment, moment))


def back_up(sender: Server, receiver: Server) -> None:
    done = sender.manage("backup_now", "--peer", receiver.name, "--wait", check=False, timeout=BACKUP_TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr


def told(alice: Server) -> int:
    return int(alice.python(CHECK_ALL).strip().splitlines()[-1])


def test_both_admins_hear_that_bob_stopped_backing_up_to_alice_and_that_it_resumed(two_servers, tmp_path):
    alice, bob = two_servers
    bob.manage("identity", "--contact-email", "bob-admin@example.net", "--contact-language", "fr")
    pair(alice, bob)
    contact = json.loads(alice.python(
        "import json; from peers.models import Peer; p = Peer.objects.get(name='bob'); "
        "print(json.dumps([p.contact_email, p.contact_language, p.silent_after_days]))").strip().splitlines()[-1])
    assert contact == ["bob-admin@example.net", "fr", 3]  # from Bob's code, as the pairing page showed it
    mail = start_mail_server(alice)
    alice.python("from anemone.alerts.models import AlertChannel; from anemone.alerts.services import save_channel; "
                 "save_channel(AlertChannel(name='admins', kind='email', emails='alice-admin@example.org'))")
    connect(alice, bob)
    wait_for_tunnel_checks(bob, alice)
    bob.create_person("bob", tmp_path / "keys")
    fill_area(bob, "bob", None)
    back_up(bob, alice)
    assert told(alice) == 0  # Bob just wrote
    assert mail.messages() == []

    age_folder(alice, "bob", 4)  # ...and then nothing for four days
    assert told(alice) == 1
    assert told(alice) == 0  # still silent: not told again
    subjects = mail.told()
    assert set(subjects) == {"alice-admin@example.org", "bob-admin@example.net"}, subjects
    assert len(subjects["alice-admin@example.org"]) == 1 and "bob has not backed up to alice since" in \
        subjects["alice-admin@example.org"][0]
    assert "bob n’a rien sauvegardé sur alice depuis" in subjects["bob-admin@example.net"][0]  # Bob's admin: French

    (bob.backup_area("bob") / "new.txt").write_text("backups resume\n")
    time.sleep(1.1)  # the new snapshot's files are newer than any second we aged
    back_up(bob, alice)
    assert told(alice) == 1
    subjects = mail.told()
    assert [len(subjects[a]) for a in ("alice-admin@example.org", "bob-admin@example.net")] == [2, 2], subjects
    assert any("Resolved" in s for s in subjects["alice-admin@example.org"]), subjects
    assert any("Résolu" in s for s in subjects["bob-admin@example.net"]), subjects
    # Bob's side read what Alice says about his folder at the start of that backup: bytes, a last write.
    said = json.loads(bob.python("import json; from peers.models import Peer; "
                                 "print(json.dumps(Peer.objects.get(name='alice').host_status))").strip().splitlines()[-1])
    assert said.get("stored_bytes", 0) > 0 and said.get("last_write_at"), said
