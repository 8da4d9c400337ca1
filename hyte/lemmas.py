"""The words of a text in its language, for the theme finder: Finnish by Voikko (hyte/finnish.py),
Swedish by simplemma's dictionary (hyte/swedish.py). Each is imported on first use, so a round in
one language never loads the other's dictionary.
"""

from __future__ import annotations

from collections.abc import Sequence

from hyte.words import LemmatiserUnavailable, Word

LANGUAGES = ("fi", "sv")


def tokenise(text: str, language: str = "fi") -> list[tuple[str, Word | None]]:
    """The tokens of a text: each a word, or None where a phrase breaks (punctuation)."""
    if language == "sv":
        from hyte import swedish  # noqa: PLC0415 - see the module docstring

        return swedish.tokenise(text)
    from hyte import finnish  # noqa: PLC0415

    return finnish.tokenise(text)


def analyse_text(text: str, language: str = "fi") -> list[Word | None]:
    """The words of a text in order; None where a phrase breaks (punctuation)."""
    return [w for _, w in tokenise(text, language)]


def general_words(language: str = "fi") -> frozenset[str]:
    """Base forms too general to be a theme by themselves in this domain, in `language`."""
    if language == "sv":
        from hyte.swedish import GENERAL_WORDS  # noqa: PLC0415

        return GENERAL_WORDS
    from hyte.finnish import GENERAL_WORDS  # noqa: PLC0415

    return GENERAL_WORDS


def check_lemmatiser(language: str = "fi") -> None:
    """Raise `LemmatiserUnavailable` now if the language's lemmatiser cannot be used (for a
    fail-fast start-up, and to load its dictionary before the first summary)."""
    if language == "sv":
        from hyte import swedish  # noqa: PLC0415

        swedish.check()
        return
    from hyte import finnish  # noqa: PLC0415

    finnish.check_lemmatiser()


def lemmatiser_available(language: str = "fi") -> bool:
    """Whether the language's lemmatiser can be used; summaries leave themes out (and merge
    nothing) when it cannot."""
    try:
        check_lemmatiser(language)
    except LemmatiserUnavailable:
        return False
    return True


def detect_language(text: str, languages: Sequence[str]) -> str:
    """Which of `languages` a text is written in: the one whose dictionary (simplemma's, shipped
    with it) knows most of its words; the first on a tie (a text of names or numbers)."""
    from simplemma import in_target_language  # noqa: PLC0415 - on first use, as the lemmatisers

    scores = [(in_target_language(text, lang=code), -n, code) for n, code in enumerate(languages)]
    best = max(scores)
    return best[2] if best[0] > 0 else languages[0]
