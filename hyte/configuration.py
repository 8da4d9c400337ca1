"""Reading a configuration file (round, survey, workshop, thesaurus): YAML in, and one error type
whose message names the file and the field."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError


class ConfigurationError(Exception):
    """A configuration file is missing, unreadable or invalid; the message names file and field."""


def read_yaml(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as exc:
        raise ConfigurationError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from exc


def describe_validation_error(path: Path | str, error: ValidationError) -> str:
    lines = [f"{path}: {error.error_count()} invalid field(s)"]
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"  {location}: {item['msg']}")
    return "\n".join(lines)
