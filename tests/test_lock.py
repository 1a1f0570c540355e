"""The lock files in requirements/ (issue 13, item 12): exact pins with hashes, no torch in the default
install, the CPU torch in the [st] lock, and this environment installed from them."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s\\]+)")


def pins(name: str) -> dict[str, str]:
    out = {}
    for line in (ROOT / "requirements" / name).read_text().splitlines():
        m = PIN.match(line)
        if m:
            out[_norm(m.group(1))] = m.group(2)
    return out


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_names(specs: list[str]) -> set[str]:
    return {_norm(re.split(r"[<>=!~\[; ]", s, maxsplit=1)[0]) for s in specs}


@pytest.mark.parametrize("name", ["run.txt", "dev.txt", "st.txt"])
def test_every_requirement_is_pinned_with_hashes(name: str) -> None:
    text = (ROOT / "requirements" / name).read_text()
    entries = [b for b in re.split(r"\n(?=[A-Za-z0-9])", text) if PIN.match(b)]
    assert len(entries) == len(pins(name)) > 20
    assert all("--hash=sha256:" in entry for entry in entries)
    assert not re.search(r"^[A-Za-z0-9._-]+\s*(>=|<=|~=|>|<)", text, re.M)  # nothing left open


def test_the_default_install_pulls_no_torch_and_the_st_lock_the_cpu_build() -> None:
    for name in ("run.txt", "dev.txt"):
        assert not {p for p in pins(name) if p == "torch" or p.startswith("nvidia")}, name
    st = pins("st.txt")
    assert st["torch"] == "2.13.0+cpu" and not any(p.startswith("nvidia") for p in st)


def test_the_locks_cover_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert _requirement_names(project["dependencies"]) <= set(pins("run.txt"))
    dev = _requirement_names(extras["dev"] + extras["eval"]) - {"taskqa"}
    assert dev <= set(pins("dev.txt"))
    assert set(pins("run.txt").items()) <= set(pins("dev.txt").items()) <= set(pins("st.txt").items())


def test_this_environment_was_installed_from_the_lock() -> None:
    locked = pins("st.txt") if _installed("torch") else pins("dev.txt")
    wrong = {}
    for name, pinned in locked.items():
        have = _installed(name)
        if have is not None and have != pinned:
            wrong[name] = (have, pinned)
    assert not wrong, f"installed versions differ from the lock (run `make install-test`): {wrong}"


def _installed(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None
