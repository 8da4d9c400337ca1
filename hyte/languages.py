"""The languages of a round's configuration texts: the survey, the workshop questions and the
thesaurus may give every text in several languages, and the round says which it offers.

A text is a plain string, in the file's own `language`, or a mapping by language code:

    text: Miten kehittäisitte vuosiraporttia?                # the file's language only
    text: {fi: Miten kehittäisitte vuosiraporttia?, sv: Hur skulle ni utveckla årsrapporten?}

A definition is loaded once per language the round offers (`load_in_languages`): each version is
the plain model with that language's strings, so code that reads a survey, a workshop or a
thesaurus never sees a mapping. Every version is validated when the file is loaded, so a missing
translation is an error at start, naming the file and the field; `in_language(code)` then hands
out the version (cached, no work). Answers and notes refer to ids, never to texts: nothing about
them depends on the language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from datetime import datetime
from typing import Annotated, Any, Protocol, TypeVar

from pydantic import BaseModel, BeforeValidator, Field, PrivateAttr, ValidationError, ValidationInfo

from hyte.configuration import ConfigurationError, describe_validation_error

SUPPORTED: tuple[str, ...] = ("fi", "sv")
"""The languages the bot speaks (a catalogue with every key: cards/catalogue/)."""
NAMES = {"fi": "Finnish", "sv": "Swedish"}

LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
_CODE = re.compile(r"^[a-z]{2}$")


def pick_language(value: object, info: ValidationInfo) -> object:
    """A text (or a list of texts) in the language being validated.

    The validation context says which: `language` (the version being built) and `plain` (the
    language of plain values in this file). Without a context a mapping gives its first language.
    """
    context = info.context or {}
    language, plain = context.get("language"), context.get("plain")
    if isinstance(value, Mapping) and value and all(isinstance(k, str) and _CODE.match(k) for k in value):
        wanted = language or next(iter(value))
        if wanted not in value:
            given = ", ".join(f"{k}: …" for k in value)
            raise ValueError(f"no {_name(wanted)} text: add {wanted}: … beside {given}")
        return value[wanted]
    if isinstance(value, Mapping):
        raise ValueError(f"a text in several languages is keyed by language codes ({', '.join(SUPPORTED)})")
    if language is not None and plain is not None and language != plain:
        raise ValueError(
            f"no {_name(language)} text: a plain value is {_name(plain)}; give {{{plain}: …, {language}: …}}"
        )
    return value


def _name(code: str) -> str:
    return f"{NAMES[code]} ({code})" if code in NAMES else repr(code)


Text = Annotated[str, BeforeValidator(pick_language)]
"""A text of a configuration file: a plain string, or one per language ({fi: …, sv: …})."""


class _Versions:
    """The versions of one definition file by language; compared by the file's content, so that
    the same file loaded twice is equal."""

    def __init__(self, data: object, versions: dict[str, Any]) -> None:
        self.data = data
        self.versions = versions

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.versions)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Versions) and (self.languages, self.data) == (other.languages, other.data)

    def __hash__(self) -> int:  # pragma: no cover - models hash their fields, not this
        return hash(self.languages)


class Multilingual(BaseModel):
    """A definition that may be loaded in several languages (see `load_in_languages`)."""

    _versions: _Versions | None = PrivateAttr(default=None)

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this definition was loaded in, the first one first."""
        if self._versions is None:
            return (getattr(self, "language", SUPPORTED[0]),)
        return self._versions.languages

    def in_language(self, language: str):
        """This definition with the texts of `language`; a language it was not loaded in gives
        the first language's (the round's rule for a person whose language it does not offer)."""
        if self._versions is None:
            return self
        versions = self._versions.versions
        return versions.get(language) or versions[self._versions.languages[0]]


M = TypeVar("M", bound=Multilingual)


def load_in_languages(model: type[M], path: Path | str, data: object, languages: Sequence[str] | None = None) -> M:
    """Validate `data` (a file's YAML) once per language, each with its own strings, and return the
    first language's version; the others are its `in_language(...)`.

    `languages`: the round's; None: the file's own `language` only. Plain values are in the file's
    `language` (`model`'s default when the file does not say). A missing translation raises
    `ConfigurationError` naming the file and the field.
    """
    plain = data.get("language") if isinstance(data, dict) else None
    if not isinstance(plain, str):
        plain = model.model_fields["language"].default if "language" in model.model_fields else SUPPORTED[0]
        if not isinstance(plain, str):
            plain = SUPPORTED[0]
    wanted = tuple(languages) if languages else (plain,)
    versions: dict[str, M] = {}
    for language in wanted:
        try:
            versions[language] = model.model_validate(
                _with_language(model, data, language), context={"language": language, "plain": plain}
            )
        except ValidationError as exc:
            where = f"{path} ({_name(language)})" if len(wanted) > 1 else path
            raise ConfigurationError(describe_validation_error(where, exc)) from exc
    shared = _Versions(data, versions)
    for version in versions.values():
        version._versions = shared
    return versions[wanted[0]]


def _with_language(model: type[Multilingual], data: object, language: str) -> object:
    """The file's data with `language` set to the version's (in the file it names its plain values)."""
    if isinstance(data, dict) and "language" in model.model_fields:
        return {**data, "language": language}
    return data


# Which language a person reads ------------------------------------------------------------------

LANGUAGE_NAMES: dict[str, str] = {
    "suomi": "fi", "suomeksi": "fi", "finska": "fi", "på finska": "fi", "finnish": "fi", "fi": "fi",
    "svenska": "sv", "på svenska": "sv", "ruotsi": "sv", "ruotsiksi": "sv", "swedish": "sv", "sv": "sv",
}
"""What a person may write after `kieli` / `språk` (or press on its card), by the language it names."""


def from_locale(locale: str | None) -> str | None:
    """The bot's language for a Teams client's locale ("sv-FI", "sv-SE", "sv": Swedish; "fi-FI":
    Finnish); None for any other (the round's first language then)."""
    if not locale:
        return None
    code = locale.replace("_", "-").split("-")[0].casefold()
    return code if code in SUPPORTED else None


def language_for(offered: Sequence[str], chosen: str | None = None, locale: str | None = None) -> str:
    """The language a person reads: the one they chose (`kieli` / `språk`), else their Teams
    client's, else the round's first; only a language the round offers."""
    for candidate in (chosen, from_locale(locale)):
        if candidate is not None and candidate in offered:
            return candidate
    return offered[0] if offered else SUPPORTED[0]


def named_language(words: str) -> str | None:
    """The language `words` name ("svenska", "suomi", "sv"…), or None."""
    return LANGUAGE_NAMES.get(" ".join(words.split()).casefold())


class LanguageChoices(Protocol):
    """The language each person chose with `kieli` / `språk`, remembered per person (tenant, Entra id)."""

    async def chosen(self, tenant_id: str, aad_object_id: str) -> str | None: ...

    async def choose(self, tenant_id: str, aad_object_id: str, language: str, at: datetime) -> None: ...
