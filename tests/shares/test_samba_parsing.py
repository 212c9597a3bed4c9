"""Our reading of smbd's output and our writing of its files (the servers themselves are in test_smb.py):
the lines below are as smbd 4.17 printed them here."""

from __future__ import annotations

import pytest

from anemone.engines import samba

AUTH_FAILED = ('{"timestamp": "2026-12-04T18:53:58.922652+0000", "type": "Authentication", "Authentication": '
               '{"version": {"major": 1, "minor": 2}, "eventId": 4625, "logonId": "0", "logonType": 3, "status": '
               '"NT_STATUS_WRONG_PASSWORD", "localAddress": "ipv4:127.0.0.1:14455", "remoteAddress": '
               '"ipv4:127.0.0.1:56894", "serviceDescription": "SMB2", "authDescription": null, "clientDomain": '
               '"WORKGROUP", "clientAccount": "alice~1", "workstation": "VM", "becameAccount": null, "mappedAccount": '
               '"alice~1", "passwordType": "NTLMv2", "duration": 914}}')

STATUS = ('{"timestamp": "2026-12-04T18:55:26.164499+0000", "version": "4.17.12-Debian", "smb_conf": "smb.conf", '
          '"sessions": {"4193068808": {"session_id": "4193068808", "server_id": {"pid": "8181", "task_id": "0", '
          '"vnn": "4294967295", "unique_id": "6864155266712195622"}, "uid": 200001, "gid": 65534, "username": '
          '"200001", "groupname": "nogroup", "remote_machine": "127.0.0.1", "hostname": "ipv4:127.0.0.1:33610", '
          '"session_dialect": "SMB3_11", "encryption": {"cipher": "AES-128-GCM", "degree": "full"}, "signing": '
          '{"cipher": "AES-128-GMAC", "degree": "partial"}}}, "tcons": {"3150570975": {"service": "alice-backup", '
          '"server_id": {"pid": "8181"}, "tcon_id": "3150570975", "session_id": "4193068808", "machine": '
          '"127.0.0.1"}}, "open_files": {}}')


def test_a_failed_login_line_names_the_account_the_address_and_the_status():
    event = samba.parse_auth_line("[2026/12/04 18:53:58.922, 3] ../../auth/auth_log.c:629(log_json) " + AUTH_FAILED)
    assert event == samba.AuthEvent(account="alice~1", ok=False, status="NT_STATUS_WRONG_PASSWORD",
                                    remote_ip="127.0.0.1")
    ok = samba.parse_auth_line(AUTH_FAILED.replace("NT_STATUS_WRONG_PASSWORD", "NT_STATUS_OK"))
    assert ok is not None and ok.ok
    ipv6 = samba.parse_auth_line(AUTH_FAILED.replace("ipv4:127.0.0.1:56894", "ipv6:2001:db8::7:50000"))
    assert ipv6 is not None and ipv6.remote_ip == "2001:db8::7"


@pytest.mark.parametrize("line", ["smbd version 4.17.12-Debian started.", '{"timestamp": "x", "type": "Authorization"}',
                                  '{"timestamp": broken "Authentication"', ""])
def test_other_lines_are_not_logins(line):
    assert samba.parse_auth_line(line) is None


def test_sessions_carry_the_serving_process_the_device_uid_and_the_shares():
    (session,) = samba.parse_sessions(STATUS)
    assert session == samba.Session(pid=8181, uid=200001, remote="127.0.0.1", encrypted=True, shares=("alice-backup",))
    assert samba.parse_sessions("not json") == []
    assert samba.parse_sessions('{"sessions": {"1": {"uid": "x"}}}') == []


def test_the_passdb_line_is_what_smbd_accepts_and_refuses_a_bad_hash():
    account = samba.Account("zoe~3", 3_000_042, 65534)
    line = samba.passdb_line(account, "AA4A43F790C87996C8EB915C58E30D53", 1_764_000_000)
    assert line == "zoe~3:3000042:" + "X" * 32 + ":AA4A43F790C87996C8EB915C58E30D53:[UX         ]:LCT-69248100:\n"
    with pytest.raises(ValueError):
        samba.passdb_line(account, "aa4a43f790c87996c8eb915c58e30d53:injected", 0)


def test_a_newline_in_a_configuration_value_is_refused_not_written():
    assert "    path = /srv/a\n" in samba.render({"a": {"path": "/srv/a"}})
    with pytest.raises(ValueError):
        samba.render({"a": {"path": "/srv/a\n[evil]\npath = /"}})
