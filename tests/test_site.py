"""The site folder: ``init_site`` makes every part, ``open_site`` finds it."""

from __future__ import annotations

import os
import stat
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from topicwire.errors import ConfigError, SiteError
from topicwire.secured import KEY_ENV_VAR, encode_key, generate_key
from topicwire.settings import SETTINGS
from topicwire.site import Site, init_site, open_site


def _reference(shared: Path, folder: str) -> Path:
    """A folder of the reference site's ``_data``: missing fails on CI and skips elsewhere."""
    path = shared / "reference" / "everyday-ai" / "_data" / folder
    if not path.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing")
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own setting and key variables must not leak into these tests."""
    for name in [*(s.env_var for s in SETTINGS), KEY_ENV_VAR]:
        monkeypatch.delenv(name, raising=False)


def test_init_creates_every_part(tmp_path: Path) -> None:
    root = tmp_path / "mysite"
    site = init_site(root, topic="AI Ethics", title="Ethics & AI Today")
    assert isinstance(site, Site)
    assert site.root == root.resolve()

    settings = tomllib.loads((root / "topicwire.toml").read_text("utf-8"))
    assert settings["site"]["topic"] == "AI Ethics"
    assert settings["site"]["title"] == "Ethics & AI Today"
    assert site.settings.get("site.topic") == "AI Ethics"
    assert site.title == "Ethics & AI Today"

    assert sorted(p.name for p in site.topics_dir.iterdir()) == ["00-ai-ethics.yaml"]
    topics = site.topics()
    assert [t.name for t in topics] == ["AI Ethics"]
    assert site.root_topic().id == "ai-ethics"

    assert site.providers_dir.is_dir() and not any(site.providers_dir.iterdir())
    assert site.providers() == []

    opml = ET.parse(site.sources_file).getroot()
    assert opml.tag == "opml" and opml.get("version") == "2.0"
    assert opml.findtext("head/title") == "Ethics & AI Today"
    body = opml.find("body")
    assert body is not None and list(body) == []

    assert site.images_dir == root.resolve() / "cache" / "images"
    assert site.images_dir.is_dir()
    assert stat.S_IMODE(site.secret_key_file.stat().st_mode) == 0o600
    assert len(site.secret_key()) == 32

    assert not site.out_dir.exists()  # publish makes it
    assert not (root / "topicwire.db").exists()  # the store makes it
    assert sorted(p.name for p in root.iterdir()) == [
        "cache", "providers", "secret.key", "sources.opml", "topics", "topicwire.toml",
    ]  # fmt: skip


def test_title_defaults_to_the_topic(tmp_path: Path) -> None:
    site = init_site(tmp_path / "s", topic="AI")
    assert site.settings.get("site.title") == ""
    assert site.title == "AI"
    assert ET.parse(site.sources_file).getroot().findtext("head/title") == "AI"


def test_init_into_an_empty_folder(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    init_site(root, topic="AI")
    assert (root / "topicwire.toml").is_file()


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    root = tmp_path / "busy"
    root.mkdir()
    (root / "notes.txt").write_text("mine")
    with pytest.raises(SiteError, match="already exists"):
        init_site(root, topic="AI")
    assert sorted(p.name for p in root.iterdir()) == ["notes.txt"]

    init_site(tmp_path / "site", topic="AI")
    before = (tmp_path / "site" / "secret.key").read_bytes()
    with pytest.raises(SiteError, match="already exists"):
        init_site(tmp_path / "site", topic="Other")
    assert (tmp_path / "site" / "secret.key").read_bytes() == before

    (tmp_path / "file").write_text("x")
    with pytest.raises(SiteError, match="already exists"):
        init_site(tmp_path / "file", topic="AI")


def test_init_with_reference_topics_and_providers(tmp_path: Path, shared: Path) -> None:
    topics_dir, orgs_dir = _reference(shared, "topics"), _reference(shared, "organizations")
    site = init_site(tmp_path / "s", topic="AI", topics_from=topics_dir, providers_from=orgs_dir)
    assert len(site.topics()) == 22
    assert site.root_topic().id == "ai"
    for source in topics_dir.glob("*.yaml"):
        assert (site.topics_dir / source.name).read_bytes() == source.read_bytes()
    assert len(site.providers()) == 10
    assert (site.providers_dir / "theguardian.com").is_file()


def test_init_root_topic_must_be_among_topics_from(tmp_path: Path, shared: Path) -> None:
    topics_dir = _reference(shared, "topics")
    with pytest.raises(ConfigError, match="no topic is named 'Robots'"):
        init_site(tmp_path / "s", topic="Robots", topics_from=topics_dir)
    assert not (tmp_path / "s").exists()


def test_init_checks_topics_from_first(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "00.yaml").write_text("_id: ai\nname: AI\nparent: Nope\n")
    with pytest.raises(ConfigError, match="unknown parent 'Nope'"):
        init_site(tmp_path / "s", topic="AI", topics_from=bad)
    assert not (tmp_path / "s").exists()


def test_init_bad_topic_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        init_site(tmp_path / "s", topic="  ")
    assert not (tmp_path / "s").exists()


def test_open_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "s"
    init_site(root, topic="AI")
    assert open_site(root).root == root.resolve()
    monkeypatch.chdir(root)
    assert open_site().root == root.resolve()


def test_open_site_on_a_non_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SiteError) as info:
        open_site(tmp_path)
    message = str(info.value)
    assert f"{tmp_path.resolve()} is not a topicwire site (no topicwire.toml)" in message
    assert "topicwire init DIR --topic NAME" in message
    # no walking up from a subfolder of a site
    init_site(tmp_path / "s", topic="AI")
    monkeypatch.chdir(tmp_path / "s" / "topics")
    with pytest.raises(SiteError, match="is not a topicwire site"):
        open_site()


def test_database_url(tmp_path: Path) -> None:
    root = tmp_path / "s"
    init_site(root, topic="AI")
    url = open_site(root, env={}).database_url
    assert url == f"sqlite:///{(root / 'topicwire.db').resolve().as_posix()}"
    assert Path(url.removeprefix("sqlite:///")).is_absolute()

    pg = "postgresql+psycopg://user@localhost/topicwire"
    assert open_site(root, env={"TOPICWIRE_STORE_DATABASE_URL": pg}).database_url == pg
    assert open_site(root, env={}, overrides={"store.sqlite_file": "x.db"}).database_url == (
        f"sqlite:///{(root / 'x.db').resolve().as_posix()}"
    )


def test_env_secret_key_wins(tmp_path: Path) -> None:
    root = tmp_path / "s"
    init_site(root, topic="AI")
    key = generate_key()
    assert open_site(root, env={KEY_ENV_VAR: encode_key(key)}).secret_key() == key
    assert open_site(root, env={}).secret_key() != key


def test_missing_providers_folder_is_empty_registry(tmp_path: Path) -> None:
    site = init_site(tmp_path / "s", topic="AI")
    site.providers_dir.rmdir()
    assert site.providers() == []
