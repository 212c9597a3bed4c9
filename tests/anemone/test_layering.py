"""The layering rules of DESIGN.md §2–§3, checked on the source (every import, at any depth, by ast):

- anemone/engines/ is a plain library: no Django, no app, nothing of anemone but anemone.engines;
- peers sits below p2p: peers never imports p2p;
- a kind (cloudbackup, p2p, usbbackup) never imports another kind; cross-kind features live in core;
- core (anemone/) imports no app: the apps fill its registries and hooks in their ready().
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("cloudbackup", "p2p", "usbbackup")
APPS = ("peers", *KINDS, "shares")

# Known, temporary exceptions: (file, imported top-level package). Each must still be needed (see the last test).
EXCEPTIONS: set[tuple[str, str]] = set()  # (file, package) pairs allowed to break a rule, each with its reason


def imports(path: Path, package: str | None = None) -> set[str]:
    """Every module a file imports, absolute names (relative imports resolved against its package)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    if package is None:
        package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                if node.module:
                    found.add(f"{base}.{node.module}")
                else:
                    found.update(f"{base}.{alias.name}" for alias in node.names)
            elif node.module:
                found.add(node.module)
    return found


def sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def offenders(folder: str, forbidden: object) -> list[str]:
    """`file: module` for each import under `folder` that `forbidden(module)` refuses (exceptions aside)."""
    bad = []
    for path in sources(folder):
        rel = path.relative_to(ROOT).as_posix()
        for module in sorted(imports(path)):
            top = module.split(".")[0]
            if forbidden(module) and (rel, top) not in EXCEPTIONS:  # type: ignore[operator]
                bad.append(f"{rel}: {module}")
    return bad


def test_the_engines_import_nothing_from_django_or_the_apps():
    def forbidden(module: str) -> bool:
        top = module.split(".")[0]
        if top == "anemone":
            return not (module == "anemone.engines" or module.startswith("anemone.engines."))
        return top == "django" or top.startswith("django_") or top in ("rest_framework", *APPS)

    assert sources("anemone/engines"), "no engine sources found: the test would check nothing"
    assert offenders("anemone/engines", forbidden) == []


def test_peers_never_imports_p2p():
    assert offenders("peers", lambda module: module.split(".")[0] == "p2p") == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_kind_never_imports_another_kind(kind):
    others = set(KINDS) - {kind}
    assert offenders(kind, lambda module: module.split(".")[0] in others) == []


def test_core_imports_no_app():
    assert offenders("anemone", lambda module: module.split(".")[0] in APPS) == []


def test_the_rules_see_a_forbidden_import(tmp_path):
    """The checker itself can fail: a file importing Django and another kind is reported."""
    sample = tmp_path / "sample.py"
    sample.write_text("from django.conf import settings\n\ndef f():\n    from cloudbackup import models\n"
                      "    from . import proc\n    from ..crypto import seal\n")
    assert imports(sample, "anemone.engines") == {"django.conf", "cloudbackup", "anemone.engines.proc",
                                                  "anemone.crypto"}


def test_every_exception_is_still_needed():
    """An exception whose import went away must go too (the restore hub, now in core, was the last one)."""
    for rel, top in EXCEPTIONS:
        assert any(m.split(".")[0] == top for m in imports(ROOT / rel)), \
            f"{rel} no longer imports {top}: remove it from EXCEPTIONS in tests/anemone/test_layering.py"
