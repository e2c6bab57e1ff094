"""Issue 16: the pages' words are data, one TOML file per language shipped in the package; both languages say
the same things: the same keys, and each message the same {fields} (a missing one would be a KeyError on the
page, an extra one a hole in the sentence)."""

import string
import tomllib
from importlib.resources import files

import pytest

from footprints_graph.endpoint import messages

FOLDER = files("footprints_graph").joinpath("endpoint", "messages")


def table(language: str) -> dict:
    return tomllib.loads(FOLDER.joinpath(f"{language}.toml").read_text(encoding="utf-8"))


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_there_is_one_file_per_language_and_no_other():
    shipped = sorted(p.name for p in FOLDER.iterdir() if p.name.endswith(".toml"))
    assert shipped == sorted(f"{language}.toml" for language in messages.LANGUAGES)


def test_both_languages_have_the_same_keys():
    english, korean = table("en"), table("ko")
    assert sorted(english.keys() - korean.keys()) == [] and sorted(korean.keys() - english.keys()) == []


@pytest.mark.parametrize("language", messages.LANGUAGES)
def test_every_message_is_text_with_the_fields_of_the_english_one(language):
    english, other = table("en"), table(language)
    assert all(isinstance(text, str) and text for text in other.values())
    assert {key: fields(text) for key, text in other.items()} == {key: fields(english[key]) for key in other}


def test_the_module_serves_the_files():
    assert messages.MESSAGES == {language: table(language) for language in messages.LANGUAGES}
    assert messages.message("ko", "as_of_date", date="2024-03-27") == "2024-03-27 기준"
    assert messages.template("fr", "as_of_date") == "as of {date}"  # a language we lack: English
    assert messages.template("ko", "no-such-key") == "no-such-key"
