"""Topic and provider files: loading, checking, writing back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topicwire.errors import ConfigError
from topicwire.model import Image, Provider, Topic
from topicwire.taxonomy import (
    dump_provider,
    dump_topic,
    load_providers,
    load_topics,
    read_provider_file,
    read_topic_file,
    root_topic,
    slugify,
    topic_tree,
)


def _reference(shared: Path, folder: str) -> Path:
    """A folder of the reference site's ``_data``: missing fails on CI and skips elsewhere."""
    path = shared / "reference" / "everyday-ai" / "_data" / folder
    if not path.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing")
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture
def reference_topics(shared: Path) -> Path:
    return _reference(shared, "topics")


@pytest.fixture
def reference_organizations(shared: Path) -> Path:
    return _reference(shared, "organizations")


def _topics_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    directory = tmp_path / "topics"
    directory.mkdir()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def _error(directory: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_topics(directory)
    return str(info.value)


ROOT = "taxonomy: topic\n_id: ai\nname: AI\n"


# -- reference data -------------------------------------------------------------------------------


def test_reference_topics_load(reference_topics: Path) -> None:
    topics = load_topics(reference_topics)
    assert len(topics) == 22
    by_name = {t.name: t for t in topics}
    assert topics[0].id == "ai" and topics[0].parent is None
    assert by_name["TensorFlow"].parent == "Google AI"
    assert by_name["Machine Learning"].extra["shortname"] == "ML"
    assert by_name["AI"].extra["services"]["news"].endswith("/api/news/")
    assert by_name["AI"].hashtags == ["#artificialintelligence", "#AI"]
    assert by_name["Computer Vision"].description == "How machines “see”"


def test_reference_topics_dump_to_the_same_text(reference_topics: Path) -> None:
    for path in sorted(reference_topics.glob("*.yaml")):
        # some reference files end with a bare '---' (an empty second document)
        assert dump_topic(read_topic_file(path)) == path.read_text("utf-8").removesuffix("---")


def test_reference_tree(reference_topics: Path) -> None:
    tree = topic_tree(load_topics(reference_topics))
    assert len(tree) == 22
    assert tree[0][0].name == "AI" and tree[0][1] == 0
    names = [t.name for t, _ in tree]
    assert names[names.index("Google AI") + 1] == "TensorFlow"
    assert dict((t.name, d) for t, d in tree)["TensorFlow"] == 2


def test_reference_providers_load(reference_organizations: Path) -> None:
    providers = load_providers(reference_organizations)
    assert len(providers) == 10
    domains = [p.domain for p in providers]
    assert "theguardian.com" in domains  # the file without a .md suffix
    guardian = providers[domains.index("theguardian.com")]
    assert guardian.name == "The Guardian"
    assert guardian.extra == {"taxonomy": "organization", "_id": "theguardian.com"}
    assert guardian.images[0] == Image(url="/assets/images/organizations/theguardian.com-50x50.jpg",
                                       width=50, height=50)  # fmt: skip
    mit = providers[domains.index("mit.edu")]
    assert mit.extra["otherNames"] == ["Massachusetts Institute of Technology"]


def test_reference_providers_round_trip(tmp_path: Path, reference_organizations: Path) -> None:
    for path in sorted(p for p in reference_organizations.iterdir() if p.is_file()):
        provider = read_provider_file(path)
        text = dump_provider(provider)
        # the only difference from the reference: a trailing space YAML drops anyway
        assert [line.rstrip() for line in text.splitlines()] == [
            line.rstrip() for line in path.read_text("utf-8").splitlines()
        ]
        copy = tmp_path / path.name
        copy.write_text(text, encoding="utf-8")
        assert read_provider_file(copy) == provider


# -- topic errors ---------------------------------------------------------------------------------


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    directory = _topics_dir(tmp_path, {"00-ai.yaml": ROOT + "keywords:\n  - a\n - b: [\n"})
    message = _error(directory)
    assert "00-ai.yaml:" in message and "YAML syntax error" in message
    assert message.split("00-ai.yaml:")[1].split(":")[0].isdigit()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: AI\n", "`_id` is missing"),
        ("_id: ai\n", "`name` is missing"),
        ("_id: ai\nname: 42\n", "`name`"),
        ("_id: ai\nname: AI\nkeywords: [a, 2]\n", "`keywords[1]`"),
        ("_id: ai\nname: AI\nhashtags: '#x'\n", "`hashtags`"),
        ("_id: ''\nname: AI\n", "`_id` is empty"),
        ("_id: a b\nname: AI\n", "must not contain spaces"),
        ("- a\n- b\n", "expected a mapping"),
        ("", "empty"),
        ("_id: a\nname: A\n---\n_id: b\nname: B\n", "one YAML document"),
    ],
)
def test_bad_topic_file(tmp_path: Path, text: str, expected: str) -> None:
    directory = _topics_dir(tmp_path, {"00-ai.yaml": text})
    message = _error(directory)
    assert str(directory / "00-ai.yaml") in message
    assert expected in message


def test_duplicate_id_names_both_files(tmp_path: Path) -> None:
    directory = _topics_dir(
        tmp_path, {"00-ai.yaml": ROOT, "01-x.yaml": "_id: ai\nname: Other\nparent: AI\n"}
    )
    message = _error(directory)
    assert "duplicate `_id` 'ai'" in message
    assert "00-ai.yaml" in message and "01-x.yaml" in message


def test_duplicate_name(tmp_path: Path) -> None:
    directory = _topics_dir(tmp_path, {"00-ai.yaml": ROOT, "01-x.yaml": "_id: x\nname: AI\n"})
    message = _error(directory)
    assert "duplicate name 'AI'" in message
    assert "00-ai.yaml" in message and "01-x.yaml" in message


def test_unknown_parent(tmp_path: Path) -> None:
    directory = _topics_dir(
        tmp_path,
        {"00-ai.yaml": ROOT, "01-ml.yaml": "_id: ml\nname: ML\nparent: ai\n"},
    )
    message = _error(directory)
    assert "01-ml.yaml: unknown parent 'ai'" in message
    assert "`parent` takes a name" in message


def test_parent_cycle(tmp_path: Path) -> None:
    directory = _topics_dir(
        tmp_path,
        {
            "00-ai.yaml": ROOT,
            "01-a.yaml": "_id: a\nname: A\nparent: B\n",
            "02-b.yaml": "_id: b\nname: B\nparent: A\n",
            "03-c.yaml": "_id: c\nname: C\nparent: C\n",
        },
    )
    message = _error(directory)
    assert "parent cycle: A -> B -> A" in message
    assert "parent cycle: C -> C" in message
    assert "01-a.yaml" in message and "02-b.yaml" in message and "03-c.yaml" in message


def test_missing_topics_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="folder not found"):
        load_topics(tmp_path / "nope")


def test_yml_files_and_order(tmp_path: Path) -> None:
    directory = _topics_dir(
        tmp_path,
        {"b.yml": "_id: b\nname: B\nparent: A\n", "a.yaml": "_id: a\nname: A\n", "c.txt": "x"},
    )
    assert [t.id for t in load_topics(directory)] == ["a", "b"]


def test_topic_tree_of_unchecked_input() -> None:
    topics = [
        Topic.from_data({"_id": "c", "name": "C", "parent": "B"}),
        Topic.from_data({"_id": "b", "name": "B", "parent": "A"}),
        Topic.from_data({"_id": "a", "name": "A"}),
        Topic.from_data({"_id": "x", "name": "X", "parent": "Y"}),  # unknown parent: a root
        Topic.from_data({"_id": "s", "name": "S", "parent": "T"}),
        Topic.from_data({"_id": "t", "name": "T", "parent": "S"}),  # a cycle: left out
    ]
    assert [(t.id, d) for t, d in topic_tree(topics)] == [("a", 0), ("b", 1), ("c", 2), ("x", 0)]


# -- writing topics -------------------------------------------------------------------------------


def test_dump_topic_layout() -> None:
    topic = Topic.from_data(
        {
            "services": {"news": "https://x/api/news/"},
            "hashtags": ["#AI", "#Ethics"],
            "name": "AI Ethics",
            "_id": "ai-ethics",
            "parent": "AI",
            "taxonomy": "topic",
            "keywords": ["ethics", "yes", "a: b", "# not a comment", "  padded"],
        }
    )
    assert dump_topic(topic) == (
        "taxonomy: topic\n_id: ai-ethics\nname: AI Ethics\nparent: AI\n"
        'keywords:\n  - ethics\n  - "yes"\n  - "a: b"\n  - "# not a comment"\n'
        '  - "  padded"\n'
        'hashtags:\n  - "#AI"\n  - "#Ethics"\n'
        "services:\n  news: https://x/api/news/\n"
    )


_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=30)
_extra_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(
    topic_id=st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True),
    name=_text.filter(lambda s: s.strip() != ""),
    parent=st.none() | _text,
    description=st.none() | _text,
    keywords=st.lists(_text, max_size=4),
    hashtags=st.lists(_text, max_size=3),
    extra=st.dictionaries(
        _text.filter(lambda k: k not in {*Topic.known_keys(), *Topic.model_fields}),
        _extra_value,
        max_size=3,
    ),
)
def test_dump_then_load_is_equal(
    tmp_path_factory: pytest.TempPathFactory,
    topic_id: str,
    name: str,
    parent: str | None,
    description: str | None,
    keywords: list[str],
    hashtags: list[str],
    extra: dict[str, object],
) -> None:
    topic = Topic.from_data(
        {
            "_id": topic_id,
            "name": name,
            "parent": parent,
            "description": description,
            "keywords": keywords,
            "hashtags": hashtags,
            **extra,
        }
    )
    path = tmp_path_factory.mktemp("t") / "t.yaml"
    path.write_text(dump_topic(topic), encoding="utf-8")
    assert read_topic_file(path) == topic


# -- providers ------------------------------------------------------------------------------------


def _providers_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    directory = tmp_path / "providers"
    directory.mkdir()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def test_provider_files_selection(tmp_path: Path) -> None:
    directory = _providers_dir(
        tmp_path,
        {
            "a.com.md": "---\n_id: a.com\nname: A\n---\n",
            "b.com": "---\ndomain: b.com\n---\n",
            "notes.txt": "just notes",
            ".hidden": "---\n_id: h.com\n---\n",
        },
    )
    providers = load_providers(directory)
    assert [(p.domain, p.extra["_id"]) for p in providers] == [
        ("a.com", "a.com"),
        ("b.com", "b.com"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("_id: a.com\n", "front matter starting"),
        ("---\n_id: a.com\n", "not closed"),
        ("---\nname: A\n---\n", "`_id` (the provider's domain) is missing"),
        ("---\n_id: a.com\ndomain: b.com\n---\n", "differ"),
        ("---\n_id: a.com\nimages:\n  - url: x\n    width: wide\n---\n", "`images[0].width`"),
        ("---\n_id: a.com\nname: a: b\n---\n", "a.com.md:3: YAML syntax error"),
    ],
)
def test_bad_provider_file(tmp_path: Path, text: str, expected: str) -> None:
    directory = _providers_dir(tmp_path, {"a.com.md": text})
    with pytest.raises(ConfigError) as info:
        load_providers(directory)
    assert str(directory / "a.com.md") in str(info.value)
    assert expected in str(info.value)


def test_duplicate_provider_domain(tmp_path: Path) -> None:
    directory = _providers_dir(
        tmp_path, {"a.md": "---\n_id: a.com\n---\n", "b.md": "---\ndomain: a.com\n---\n"}
    )
    with pytest.raises(ConfigError, match=r"duplicate domain 'a\.com'") as info:
        load_providers(directory)
    assert "a.md" in str(info.value) and "b.md" in str(info.value)


def test_dump_new_provider_reads_back(tmp_path: Path) -> None:
    provider = Provider(
        name="Example: News",
        domain="example.com",
        description="Line one\nline two",
        weight=1.5,
        images=[Image(url="/logo.png", width=50, height=50, is_cached=True)],
    )
    text = dump_provider(provider)
    assert text.startswith('---\n_id: example.com\nname: "Example: News"\ndomain: example.com\n')
    path = tmp_path / "example.com.md"
    path.write_text(text, encoding="utf-8")
    loaded = read_provider_file(path)
    assert loaded.extra == {"_id": "example.com"}
    assert loaded.model_copy(update={"extra": {}}) == provider


# -- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("AI Ethics", "ai-ethics"),
        ("AWS AI", "aws-ai"),
        ("AI in Healthcare", "ai-in-healthcare"),
        ("  Café & Crème!  ", "cafe-creme"),
        ("C++", "c"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_root_topic(tmp_path: Path) -> None:
    topic = root_topic("AI Ethics")
    assert topic.id == "ai-ethics"
    assert topic.name == "AI Ethics"
    assert topic.parent is None
    assert topic.keywords == ["ai ethics"]
    assert topic.hashtags == ["#AIEthics"]
    assert topic.extra == {"taxonomy": "topic"}
    text = dump_topic(topic)
    assert text == (
        "taxonomy: topic\n_id: ai-ethics\nname: AI Ethics\nkeywords:\n  - ai ethics\n"
        'hashtags:\n  - "#AIEthics"\n'
    )
    directory = _topics_dir(tmp_path, {"00-ai-ethics.yaml": text})
    assert load_topics(directory) == [topic]


def test_root_topic_needs_letters() -> None:
    with pytest.raises(ConfigError, match="no letters or digits"):
        root_topic(" !! ")
