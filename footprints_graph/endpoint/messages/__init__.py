"""The pages' words: one message table per language, data files beside this module (en.toml, ko.toml), read
once when it is imported. Both tables have the same keys, and each message takes the same {fields} in both
(tests/endpoint/test_messages.py checks that; tests/web/test_pages.py that every key asked for is there).

Values are Python format strings ({n}, {date}, …). A template's message may hold simple markup (a link filled
in by the template); values filled in from requests are escaped (see language.markup).
"""

import tomllib

from footprints_graph.resources import resource

LANGUAGES = ("en", "ko")


def _table(language: str) -> dict[str, str]:
    return tomllib.loads(resource("endpoint/messages", f"{language}.toml").read_text(encoding="utf-8"))


MESSAGES = {language: _table(language) for language in LANGUAGES}
EN, KO = MESSAGES["en"], MESSAGES["ko"]


def template(language: str, key: str) -> str:
    """The message `key` in `language`; in English if that table lacks it; the key itself if both do."""
    return MESSAGES.get(language, EN).get(key) or EN.get(key, key)


def message(language: str, key: str, **values) -> str:
    return template(language, key).format(**values)
