"""Settings: one declaration each, documented in the rendered file, layered in order."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from topicwire.errors import ConfigError
from topicwire.settings import (
    SETTINGS,
    Setting,
    get_setting,
    load_settings,
    render_settings_file,
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "topicwire.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_settings_are_well_formed() -> None:
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    for setting in SETTINGS:
        assert setting.name.count(".") == 1, setting.name
        assert setting.type in (str, int, float, bool)
        assert isinstance(setting.default, setting.type)
        assert setting.help.strip(), f"{setting.name} has no help"


def test_every_setting_is_documented_in_the_rendered_file() -> None:
    text = render_settings_file({})
    data = tomllib.loads(text)
    comments = _comments_before_keys(text)
    for setting in SETTINGS:
        block = comments[(setting.section, setting.key)]
        assert block[-1] == f"default: {_toml(setting.default)}", setting.name
        assert " ".join(block[:-1]) == setting.help, setting.name
        assert data[setting.section][setting.key] == setting.default
    assert all(len(line) <= 100 for line in text.splitlines())


def _comments_before_keys(text: str) -> dict[tuple[str, str], list[str]]:
    """For each ``key = value`` line: its table and key, and the comment lines just above it."""
    out: dict[tuple[str, str], list[str]] = {}
    section, comments = "", list[str]()
    for line in text.splitlines():
        if line.startswith("["):
            section, comments = line.strip("[]"), []
        elif line.startswith("#"):
            comments.append(line.removeprefix("#").strip())
        elif " = " in line:
            out[(section, line.split(" = ")[0])] = comments
            comments = []
        else:
            comments = []
    return out


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def test_defaults() -> None:
    settings = load_settings(None, env={})
    assert settings.get("site.topic") == "AI"
    assert settings.get("site.title") == ""
    assert settings.get("store.sqlite_file") == "topicwire.db"
    assert settings.source("site.topic") == "default"
    assert set(settings.as_dict()) == {s.name for s in SETTINGS}


def test_precedence(tmp_path: Path) -> None:
    path = _write(tmp_path, '[site]\ntitle = "From file"\ntopic = "File topic"\nlocale = "fr-FR"\n')
    env = {"TOPICWIRE_SITE_TITLE": "From env", "TOPICWIRE_SITE_TOPIC": "Env topic"}
    settings = load_settings(path, env=env, overrides={"site.title": "From CLI"})
    assert settings.get("site.title") == "From CLI"
    assert settings.source("site.title") == "override"
    assert settings.get("site.topic") == "Env topic"
    assert settings.source("site.topic") == "TOPICWIRE_SITE_TOPIC"
    assert settings["site.locale"] == "fr-FR"
    assert settings.source("site.locale") == str(path)
    assert settings.get("site.base_url") == "http://127.0.0.1:8000/"


def test_env_variable_names() -> None:
    assert get_setting("store.database_url").env_var == "TOPICWIRE_STORE_DATABASE_URL"
    url = "postgresql+psycopg://u@h/db"
    settings = load_settings(None, env={"TOPICWIRE_STORE_DATABASE_URL": url, "TOPICWIRE_X": "1"})
    assert settings.get("store.database_url") == url


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, '[site]\ntitel = "typo"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert str(path) in str(info.value)
    assert "site.titel" in str(info.value)


def test_unknown_section_and_top_level_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown section \[nope\]"):
        load_settings(_write(tmp_path, "[nope]\nx = 1\n"), env={})
    with pytest.raises(ConfigError, match="unknown key 'title'"):
        load_settings(_write(tmp_path, 'title = "x"\n'), env={})


def test_bad_type_in_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "[site]\ntitle = 3\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    message = str(info.value)
    assert str(path) in message and "site.title" in message and "expected a string" in message


def test_bad_toml(tmp_path: Path) -> None:
    path = _write(tmp_path, "[site\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path, env={})


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", env={})


def test_unknown_override() -> None:
    with pytest.raises(ConfigError, match=r"unknown setting 'site\.nope'"):
        load_settings(None, env={}, overrides={"site.nope": 1})


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [(int, " 42 ", 42), (float, "0.5", 0.5), (bool, "yes", True), (bool, "Off", False)],
)
def test_text_conversion(kind: type, text: str, value: object) -> None:
    from topicwire.settings import _coerce

    setting = Setting("x.y", kind(), kind, "help")
    assert _coerce(setting, text, "TOPICWIRE_X_Y") == value


@pytest.mark.parametrize(("kind", "text"), [(int, "4.5"), (float, "x"), (bool, "maybe")])
def test_bad_text(kind: type, text: str) -> None:
    from topicwire.settings import _coerce

    with pytest.raises(ConfigError, match="TOPICWIRE_X_Y: expected"):
        _coerce(Setting("x.y", kind(), kind, "help"), text, "TOPICWIRE_X_Y")


def test_file_values_are_checked_not_converted() -> None:
    from topicwire.settings import _coerce

    with pytest.raises(ConfigError, match="expected an integer"):
        _coerce(Setting("x.y", 0, int, "h"), True, "f", from_text=False)
    assert _coerce(Setting("x.y", 0.0, float, "h"), 2, "f", from_text=False) == 2.0


def test_rendered_file_parses_back(tmp_path: Path) -> None:
    values = {
        "site.title": 'Quotes " and \\ backslashes\tand ünïcode',
        "site.topic": "AI Ethics",
        "store.database_url": "postgresql+psycopg://user:pw@db.example/site",
    }
    path = _write(tmp_path, render_settings_file(values))
    loaded = load_settings(path, env={}).as_dict()
    expected = {s.name: values.get(s.name, s.default) for s in SETTINGS}
    assert loaded == expected


def test_render_refuses_unknown_and_badly_typed() -> None:
    with pytest.raises(ConfigError, match="unknown setting"):
        render_settings_file({"site.nope": "x"})
    with pytest.raises(ConfigError, match=r"site\.title"):
        render_settings_file({"site.title": 3})
