"""Our parsing of restic 0.18's output (recorded on this machine) into typed errors and dataclasses."""

from __future__ import annotations

import pytest

from anemone.engines import restic

# (stderr, exit code, error): exit 10/11/12 say it all; exit 1 is told apart by restic's or rclone's words.
RECORDED_ERRORS = [
    ("Fatal: repository does not exist: unable to open config file: <config/> does not exist\nIs there a repository "
     "at the following location?\nrclone:loc:/tmp/rm18/nope", 10, restic.RepositoryMissing),
    ("Fatal: wrong password or no key found", 12, restic.WrongPassword),
    ('{"message_type":"exit_error","code":11,"message":"unable to create lock in backend: repository is already locked '
     'by PID 20890 on vm by root (UID 0, GID 0)\\nlock was created at 2026-12-02 18:42:59 (2.700953404s ago)\\nstorage '
     'ID 30431081\\nthe `unlock` command can be used to remove stale locks"}', 11, restic.RepositoryLocked),
    ('rclone: 2026/11/25 14:40:44 CRITICAL: Failed to create file system for "peer:srv/alice": NewFs: couldn\'t '
     "connect SSH: dial tcp 127.0.0.1:23456: connect: connection refused\nFatal: unable to open repository at "
     'rclone:peer:srv/alice: error talking HTTP to rclone: Get "http://localhost/file-1": unexpected EOF', 1,
     restic.Unreachable),
    ("Save(<data/1a2b>) returned error, retrying after 552ms: write /mnt/usb/repo/data/1a/1a2b: no space left on device",
     1, restic.NoSpace),
    ("rclone: NewFs: couldn't connect SSH: ssh: handshake failed: ssh: unable to authenticate, attempted methods "
     "[none publickey], no supported methods remain", 1, restic.AccessRefused),
    ('{"message_type":"exit_error","code":1,"message":"no matching ID found for prefix \\"deadbeef\\""}', 1,
     restic.SnapshotMissing),  # ls --json of an unknown id
    ('Fatal: failed to find snapshot: no matching ID found for prefix "deadbeef"', 1, restic.SnapshotMissing),  # dump
    ("Load(<snapshot/0000000000>, 0, 0) failed: open repo/snapshots/" + "0" * 64 + ": no such file or directory\n"
     '{"message_type":"exit_error","code":1,"message":"failed to load snapshot [null]: open repo/snapshots/' + "0" * 64
     + ': no such file or directory"}', 1, restic.SnapshotMissing),  # a full id that is not there
]


@pytest.mark.parametrize(("stderr", "code", "expected"), RECORDED_ERRORS)
def test_it_names_each_recorded_failure(stderr, code, expected):
    error = restic.classify(stderr, code)
    assert type(error) is expected
    assert "rclone:" not in str(error) and "PID" not in str(error)  # a sentence for people, not restic's text


def test_a_missing_snapshot_is_a_missing_thing_for_pages_and_the_api():
    error = restic.classify('Fatal: failed to find snapshot: no matching ID found for prefix "deadbeef"', 1)
    assert isinstance(error, FileNotFoundError) and error.outcome == "not-found" and str(error) == "No such snapshot."


def test_an_unknown_failure_keeps_restics_fatal_line_bounded():
    error = restic.classify("something\nFatal: cannot dump file: path \"/nope\" not found in snapshot\n", 2)
    assert type(error) is restic.ResticError
    assert 'path "/nope" not found' in str(error) and "exit 2" in str(error)
    assert len(str(restic.classify("Fatal: " + "x" * 5000))) < 500
    json_error = restic.classify('{"message_type":"exit_error","code":1,"message":"Fatal: all source directories/files '
                                 'do not exist"}', 1)
    assert str(json_error) == "restic failed (exit 1): Fatal: all source directories/files do not exist"


def test_it_reads_snapshots_nodes_and_forget_groups():
    snaps = restic.parse_snapshots('[{"time":"2026-11-25T14:41:54.76Z","tree":"11","paths":["/tmp/rx/t"],'
                                   '"hostname":"h","tags":["anemone","user:x"],"id":"8adf5f1e' + "0" * 56 + '",'
                                   '"short_id":"8adf5f1e","program_version":"restic 0.18.0","summary":{'
                                   '"files_new":1,"data_added":353,"total_files_processed":2,'
                                   '"total_bytes_processed":3}},'
                                   '{"time":"2026-11-26T14:41:54.76Z","id":"9' + "0" * 63 + '","short_id":"90000000"}]')
    assert snaps[0].short_id == "8adf5f1e" and snaps[0].tag_value("user:") == "x" and snaps[0].hostname == "h"
    assert (snaps[0].files, snaps[0].size) == (2, 3) and (snaps[1].files, snaps[1].size) == (None, None)  # by 0.14
    nodes = restic.parse_ls([
        '{"time":"2026-11-25T14:41:54Z","paths":["/t"],"id":"8adf","short_id":"8adf","struct_type":"snapshot"}',
        '{"name":"d2","type":"dir","path":"/d1/d2","mtime":"2026-11-25T14:41:45Z","struct_type":"node"}',
        '{"name":"f1","type":"file","path":"/d1/f1","size":2,"mtime":"2026-11-25T14:41:45Z","struct_type":"node"}',
        "not json"])
    assert [(n.name, n.type, n.size) for n in nodes] == [("d2", "dir", 0), ("f1", "file", 2)]
    forgotten = restic.parse_forget(['[{"tags":["user:x"],"host":"","paths":null,"keep":[{"id":"aa"}],'
                                     '"remove":[{"id":"bb"},{"id":"cc"}],"reasons":[]}]', "2 snapshots have been removed"])
    assert forgotten.kept == ["aa"] and forgotten.removed == ["bb", "cc"]
    with pytest.raises(restic.ResticError, match="unreadable snapshot list"):
        restic.parse_snapshots("[{")


def test_the_fatal_line_wins_over_earlier_warnings():
    stderr = ("error: open /srv/shares/alice/backup/locked.txt: permission denied\n"
              "rclone: CRITICAL: Failed to create file system: couldn't connect SSH: dial tcp 198.51.100.2:2222: "
              "i/o timeout\nFatal: unable to open repository at rclone:anemonepeer:srv/alice: error talking HTTP to rclone")
    assert type(restic.classify(stderr)) is restic.Unreachable
