"""The repository stands on its own: no package host written into it, docs that
link only inside it, templates that name their sources by title, and an
installer that takes the package mirror from the machine's own apt sources."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from workbooks.templates import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
INSTALLER = ROOT / "scripts" / "install-libreoffice.sh"

#: Hosts of the package registries (Debian's archive and security mirrors, PyPI
#: and its file host, npm), as regular expressions: escaped like this, the
#: pattern never matches its own source text.
PACKAGE_HOSTS = (
    r"[a-z0-9.-]*debian\.org",
    r"pypi\.org",
    r"pypi\.python\.org",
    r"pythonhosted\.org",
    r"npmjs\.(org|com)",
    r"yarnpkg\.com",
)

#: The documents a reader of the repository sees.
#: Installed, git-ignored folders (npm packages, downloaded wheels) are not the repository's.
INSTALLED = ("node_modules", ".cache", ".venv")
DOCS = sorted(
    doc
    for doc in [ROOT / "README.md", *ROOT.glob("*/README.md"), *ROOT.glob("*/*/README.md"),
                *(ROOT / "docs").glob("*.md")]
    if doc.relative_to(ROOT).parts[0] not in INSTALLED
)


def test_no_package_host_in_the_repository() -> None:
    """``git grep`` finds no package registry host in any tracked file."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout: git grep has nothing to search")
    pattern = "|".join(PACKAGE_HOSTS)
    found = subprocess.run(
        ["git", "grep", "-n", "-I", "-i", "-E", pattern],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert found.returncode == 1, found.stdout + found.stderr  # 1: no match, 2: error


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_link_only_inside_the_repository(doc: Path) -> None:
    """Every relative link of a document resolves to a file of the repository, and
    no document points into the external test material by path."""
    text = doc.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)", text):
        if re.match(r"[a-z]+:", target):
            continue  # a web address, not a file
        path = (doc.parent / target).resolve()
        assert path.is_relative_to(ROOT), f"{target} is outside the repository"
        assert path.exists(), f"{target} does not exist"
    assert re.findall(r"(?:\.\./)?shared/[\w.-]+", text) == []


@pytest.mark.parametrize("tid", sorted(REGISTRY))
def test_readme_sheet_names_sources_by_title(tid: str) -> None:
    """The 说明 sheet names the scheme and its source document by title, not by a
    path of the external material (which a user of the workbook does not have)."""
    template = REGISTRY[tid]()
    texts = [template.source] + [t for head, paras in template.readme for t in (head, *paras)]
    paths = [t for t in texts if re.search(r"seeds/|SCHEMES\.md|FUNCTIONS\.md|shared/", t)]
    assert paths == []
    assert "《" in template.source or "、" in template.source


def print_source(apt_dir: Path, codename: str = "bookworm") -> subprocess.CompletedProcess[str]:
    """``install-libreoffice.sh --print-source`` against the apt folder ``apt_dir``."""
    env = {**os.environ, "APT_DIR": str(apt_dir), "CODENAME": codename}
    return subprocess.run(
        ["bash", str(INSTALLER), "--print-source"],
        env=env, capture_output=True, text=True, check=False, timeout=30,
    )


def stanza(text: str) -> dict[str, str]:
    """A deb822 stanza as field → value (comments left out)."""
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return dict(line.split(": ", 1) for line in lines)


def test_installer_takes_the_mirror_of_a_deb822_source(tmp_path: Path) -> None:
    """The backports suite goes to the URI of the release's own ``.sources`` stanza
    (not the security one, not a disabled one), with its keyring."""
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://old.example/debian\nSuites: bookworm\nEnabled: no\n\n"
        "Types: deb deb-src\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n"
        "Components: main\nSigned-By: /usr/share/keyrings/local.gpg\n\n"
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n"
    )
    result = print_source(tmp_path)
    assert result.returncode == 0, result.stderr
    assert stanza(result.stdout) == {
        "Types": "deb",
        "URIs": "http://mirror.example/debian",
        "Suites": "bookworm-backports",
        "Components": "main",
        "Signed-By": "/usr/share/keyrings/local.gpg",
    }


def test_installer_takes_the_mirror_of_a_sources_list_line(tmp_path: Path) -> None:
    """Without ``.sources`` files, the ``deb [options] URI suite`` line of
    sources.list gives the URI; the keyring is Debian's archive keyring."""
    (tmp_path / "sources.list").write_text(
        "# deb http://commented.example/debian bookworm main\n"
        "deb [arch=amd64 trusted=no] http://mirror.example/debian trixie main\n"
        "deb http://mirror.example/debian-security trixie-security main\n"
    )
    result = print_source(tmp_path, "trixie")
    assert result.returncode == 0, result.stderr
    fields = stanza(result.stdout)
    assert (fields["URIs"], fields["Suites"]) == ("http://mirror.example/debian", "trixie-backports")
    assert fields["Signed-By"] == "/usr/share/keyrings/debian-archive-keyring.gpg"


def test_installer_without_an_apt_source_says_so(tmp_path: Path) -> None:
    """No source for the release: exit 1 with a message, nothing printed to add."""
    result = print_source(tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "no apt source for bookworm" in result.stderr
