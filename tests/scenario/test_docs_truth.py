"""What the repository tells a newcomer, checked against the code: settings, Docker files, licence."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bot.settings import Settings
from tests.support.processes import ROOT

# Read from the environment outside `Settings` (bot/logs.py), and documented beside them.
EXTRA_VARIABLES = {"LOG_LEVEL"}
ASSIGNMENT = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=(.*)$")


def env_example() -> dict[str, tuple[str, bool]]:
    """Each variable of .env.example: its value, and whether a comment explains its block."""
    found: dict[str, tuple[str, bool]] = {}
    explained = False
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = ASSIGNMENT.match(line)
        if match:
            found[match[1]] = (match[2], explained)
        elif line.startswith("#"):
            explained = True
        elif not line.strip():
            explained = False  # a blank line starts a new block, which needs its own comment
    return found


def test_every_setting_is_in_env_example_with_its_default_and_a_comment() -> None:
    documented = env_example()
    defaults = Settings(_env_file=None)
    for name, field in Settings.model_fields.items():
        variable = name.upper()
        assert variable in documented, f"{variable} is missing from .env.example"
        value, explained = documented[variable]
        assert explained, f"{variable} has no comment above it in .env.example"
        default = getattr(defaults, name)
        if default in (None, "") or field.default in (None, ""):
            continue  # unset by default: the line shows an example instead
        try:
            shown = getattr(Settings(_env_file=None, **{name: value}), name)
        except ValidationError as error:
            pytest.fail(f".env.example shows {variable}={value}, which is not valid: {error}")
        assert shown == default, f".env.example shows {variable}={value}, but the default is {default!r}"
    unknown = set(documented) - {n.upper() for n in Settings.model_fields} - EXTRA_VARIABLES
    assert not unknown, f".env.example names variables Paperboy does not read: {sorted(unknown)}"


def compose_service() -> dict[str, Any]:
    """The `paperboy` service of compose.yaml."""
    return dict(yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]["paperboy"])


def test_compose_starts_without_a_dot_env_file() -> None:
    entries = compose_service()["env_file"]
    assert entries == [{"path": ".env", "required": False}]  # Compose 2.24+ skips a missing file


def test_health_listens_on_loopback_unless_a_container_says_otherwise() -> None:
    assert Settings(_env_file=None).health_host == "127.0.0.1"
    assert compose_service()["environment"]["HEALTH_HOST"] == "0.0.0.0"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^\s+HEALTH_HOST=0\.0\.0\.0\b", dockerfile, re.M), "the image must publish /healthz"


def test_the_image_leaves_secrets_and_local_data_out_of_its_build_context() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", "data", ".venv", ".git"} <= ignored
    # ...but keeps what the Dockerfile copies.
    for copied in re.findall(r"^COPY (.+) \S+$", (ROOT / "Dockerfile").read_text(), re.M):
        for path in copied.split():
            assert path.rstrip("/") not in ignored, f"the Dockerfile copies {path}, .dockerignore drops it"


def test_the_licence_file_is_the_licence_pyproject_names() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    text = (ROOT / "LICENSE").read_text()
    assert declared == "MIT"
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text


def test_the_readme_and_docs_document_first_digest_days_and_more() -> None:
    readme = (ROOT / "README.md").read_text()
    operations = (ROOT / "docs" / "operations.md").read_text()
    assert "FIRST_DIGEST_DAYS" in readme
    assert "| `more` |" in readme
    for platform in ("slack", "discord"):
        assert "/paper more" in (ROOT / "docs" / f"{platform}.md").read_text()
    assert "HEALTH_HOST:HEALTH_PORT` (default `127.0.0.1:8080`" in operations


def test_every_test_the_security_page_cites_exists() -> None:
    # docs/security.md backs each claim with a test: `tests/x.py::name`, `::name` (same file as the
    # last one named), or `tests/x.py` (the whole file). A renamed or deleted test must not leave a
    # claim standing on nothing.
    text = (ROOT / "docs" / "security.md").read_text()
    cited: list[tuple[str, str]] = []
    current = ""
    for path, name in re.findall(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`", text):
        current = path or current
        if path or name:
            cited.append((current, name))
    assert len(cited) > 30
    for path, name in cited:
        source = (ROOT / path).read_text()
        assert not name or re.search(rf"^(async )?def {name}\(", source, re.M), f"{path}::{name}"
