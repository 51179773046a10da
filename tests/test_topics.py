"""Topic assignment: the reference site's false-positive patterns, true positives, acronym and
whole-word rules, boilerplate, parents, off-topic, evidence, profiles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from conftest import ROOT
from topicwire.enrich.embed import Embedder, default_embedder
from topicwire.enrich.topic_match import (
    KeywordMatcher,
    is_acronym,
    is_topic_boilerplate,
    keyword_pattern,
    main_text,
)
from topicwire.enrich.topics import Assignment, TopicAssigner, TopicThresholds, topic_names
from topicwire.model import Article, Topic
from topicwire.taxonomy import load_topics

PATTERNS = ROOT / "bench" / "labels" / "topic_patterns.yaml"


def _topic(name: str, parent: str | None, keywords: list[str], **extra: Any) -> Topic:
    data = {"_id": name.lower().replace(" ", "-"), "name": name, "keywords": keywords, **extra}
    if parent:
        data["parent"] = parent
    return Topic.from_data(data)


#: a small taxonomy shaped like the reference site's (same names and keywords), plus a
#: "Power Apps" topic to show the RF-amplifier "power apps" trap
TAXONOMY = [
    _topic("AI", None, ["artificial intelligence", "ai"]),
    _topic(
        "Machine Learning",
        "AI",
        ["machine learning", "ml", "deep learning", "neural network"],
        description="Systems learn from data to improve on tasks.",
    ),
    _topic(
        "Computer Vision",
        "AI",
        [
            "computer vision",
            "face recognition",
            "facial recognition",
            "object recognition",
            "deeplens",
            "rekognition",
        ],
        description="How machines “see”",
    ),
    _topic(
        "Natural Language Processing",
        "AI",
        [
            "natural language processing",
            "nlp",
            "speech recognition",
            "machine translation",
            "textract",
            "transcribe",
            "translate",
            "polly",
            "amazon comprehend",
        ],
        description="Enables programs to “understand” written or spoken language",
    ),
    _topic("AI Ethics", "AI", ["ethical", "ethics"]),
    _topic("AI Hardware", "AI", ["chip", "gpu"]),
    _topic("AI in Autos", "AI", ["driverless", "self driving", "waymo", "tesla", "deepracer"]),
    _topic("AI in Healthcare", "AI", ["healthcare", "therapy"]),
    _topic("Microsoft AI", "AI", ["cognitive services", "azure", "microsoft"]),
    _topic("Power Apps", "Microsoft AI", ["power apps", "powerapps"]),
    _topic("Google AI", "AI", ["tensorflow", "deepmind"]),
    _topic("TensorFlow", "Google AI", ["tensorflow"]),
]


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The model, loaded once per session (about 5 s)."""
    return default_embedder()


@pytest.fixture(scope="module")
def assigner(embedder: Embedder) -> TopicAssigner:
    return TopicAssigner(TAXONOMY, embedder=embedder)


def _article(title: str, excerpt: str | None = None, text: str | None = None) -> Article:
    return Article(title=title, excerpt=excerpt, text=text)


def _cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load(PATTERNS.read_text(encoding="utf-8"))
    return cases


# -- matching rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keyword", "text", "found"),
    [
        ("ai", "New AI chips", ["AI"]),
        ("ai", "Facebook trains A.I. to see", ["A.I."]),
        ("ai", "AI-powered search", ["AI"]),
        ("ai", "Two AIs talk", ["AIs"]),
        ("ai", "Night markets in Taipei", []),
        ("ai", "J'ai adoré le film", []),
        ("ai", "Ai Weiwei's new show", []),
        ("ai", "said (ai) in lower case", []),
        ("ml", "HTML and XML files", []),
        ("aws", "runs on AWS", ["AWS"]),
        ("ONNX", "export to ONNX", ["ONNX"]),
        ("PyTorch", "a pytorch model", ["pytorch"]),
        ("chip", "two chips", ["chips"]),
        ("chip", "a microchip and a chipset", []),
        ("self driving", "self-driving cars", ["self-driving"]),
        ("computer vision", "Computer Vision Syndrome", ["Computer Vision"]),
        ("bank", "Banks and river banks", ["Banks", "banks"]),
    ],
)
def test_keyword_rules(keyword: str, text: str, found: list[str]) -> None:
    assert keyword_pattern(keyword).findall(text) == found


def test_acronym_rule() -> None:
    assert is_acronym("ai") and is_acronym("aws") and is_acronym("ONNX")
    assert not is_acronym("math") and not is_acronym("PyTorch") and not is_acronym("self driving")


def test_boilerplate_lines_are_not_evidence() -> None:
    for line in ["See our ethics statement.", "Read our privacy policy", "Share this article",
                 "© 2024 Example Media. All rights reserved."]:  # fmt: skip
        assert is_topic_boilerplate(line), line
    assert not is_topic_boilerplate("The ethics board met on Monday to discuss the AI policy.")
    text = "Chips are fast.\n\nSee our ethics statement\nSign up for our newsletter"
    assert main_text(text) == "Chips are fast."


def test_matcher_reports_where_and_count() -> None:
    hits = KeywordMatcher(["ai", "chip"]).find(
        [("title", "AI chip"), ("excerpt", "An AI chip, an AI future"), ("text", "")]
    )
    assert [(h.keyword, h.where, h.count) for h in hits] == [
        ("ai", "title", 1),
        ("ai", "excerpt", 2),
        ("chip", "title", 1),
        ("chip", "excerpt", 1),
    ]


# -- the reference site's false positives, and true positives -----------------------------------


@pytest.mark.parametrize("case", _cases(), ids=lambda c: str(c["id"]))
def test_patterns(assigner: TopicAssigner, case: dict[str, Any]) -> None:
    result = assigner.assign(_article(case["title"], case.get("excerpt"), case.get("text")))
    expected = set(case["topics"])
    allowed = expected | set(case.get("allowed") or [])
    assert expected <= set(result.topics), result.evidence
    assert set(result.topics) <= allowed, result.evidence
    assert result.off_topic == (not expected)


def test_patterns_with_the_reference_taxonomy(shared: Path, embedder: Embedder) -> None:
    topics = load_topics(shared / "reference" / "everyday-ai" / "_data" / "topics")
    reference = TopicAssigner(topics, embedder=embedder)
    cases = _cases()
    results = reference.assign_many(
        [_article(c["title"], c.get("excerpt"), c.get("text")) for c in cases]
    )
    for case, result in zip(cases, results, strict=True):
        expected = set(case["topics"])
        assert expected <= set(result.topics), case["id"]
        assert set(result.topics) <= expected | set(case.get("allowed") or []), case["id"]


def test_power_apps_in_an_rf_story_is_not_microsoft(assigner: TopicAssigner) -> None:
    result = assigner.assign(
        _article(
            "PIN Diode Handles High Power Apps",
            "A silicon diode switches 200 W of RF in radar power apps with low loss.",
        )
    )
    assert result.topics == [] and result.off_topic


def test_power_apps_true_positive(assigner: TopicAssigner) -> None:
    result = assigner.assign(
        _article(
            "Microsoft adds an AI copilot to Power Apps",
            "Makers can describe an app in plain words and Power Apps builds it with AI, "
            "Microsoft said.",
        )
    )
    assert result.topics == ["AI", "Microsoft AI", "Power Apps"]


# -- structure: parents, order, off-topic, evidence ---------------------------------------------


def test_parents_are_added_from_children(assigner: TopicAssigner) -> None:
    result = assigner.assign(
        _article(
            "TensorFlow 3 speeds up model training",
            "The TensorFlow release adds compiled deep learning graphs for GPUs.",
        )
    )
    assert result.topics[0] == "AI"
    assert {"TensorFlow", "Google AI"} <= set(result.topics)
    google = result.evidence_for("Google AI")
    assert google is not None
    assert google.via in {"keywords", "similarity", "child:TensorFlow"}
    root = result.evidence_for("AI")
    assert root is not None


def test_root_first_then_taxonomy_order(assigner: TopicAssigner) -> None:
    result = assigner.assign(
        _article(
            "Waymo's driverless cars get a new AI chip",
            "The self-driving unit's artificial intelligence runs on a custom chip and GPU.",
        )
    )
    assert result.topics == ["AI", "AI Hardware", "AI in Autos"]
    assert topic_names(result) == result.topics


def test_off_topic_story_gets_nothing(assigner: TopicAssigner) -> None:
    result = assigner.assign(
        _article(
            "Parliament passes the budget",
            "Lawmakers approved the spending plan after a night of debate on pensions.",
        )
    )
    assert result == Assignment([], [], True, result.similarities)
    assert topic_names(result) == []


def test_child_keywords_alone_do_not_make_an_ai_story(assigner: TopicAssigner) -> None:
    result = assigner.assign(
        _article(
            "Microsoft opens a new campus; Azure revenue up",
            "Microsoft said Azure sales grew and it will hire 2,000 people in Dublin.",
        )
    )
    assert result.off_topic and result.topics == []


def test_evidence_records_keywords_places_and_similarity(assigner: TopicAssigner) -> None:
    result = assigner.assign(
        _article(
            "Hospital tests A.I. that reads scans",
            "The healthcare group says the AI flags strokes in minutes.",
            "Doctors at the hospital use the AI tool on every scan.\n\nSee our ethics statement",
        )
    )
    assert result.topics == ["AI", "AI in Healthcare"]
    root = result.evidence_for("AI")
    assert root is not None and root.via == "similarity" and root.similarity is not None
    places = {(k.keyword, k.where): k.count for k in root.keywords}
    assert places == {("AI", "title"): 1, ("AI", "excerpt"): 1, ("AI", "text"): 1}
    health = result.evidence_for("AI in Healthcare")
    assert health is not None and health.similarity is not None
    assert health.via == "similarity"
    assert health.to_dict()["keywords"] == [
        {"keyword": "healthcare", "where": "excerpt", "count": 1}
    ]
    assert result.evidence_for("AI Ethics") is None  # the footer line is not evidence


def test_boilerplate_footer_does_not_add_ai_ethics(assigner: TopicAssigner) -> None:
    text = "The chip doubles AI training speed.\n\nSee our ethics statement.\nShare this article"
    result = assigner.assign(_article("New AI chip for data centres", None, text))
    assert "AI Ethics" not in result.topics
    assert "AI Hardware" in result.topics


def test_keyword_only_baseline_has_no_context_check(embedder: Embedder) -> None:
    baseline = TopicAssigner(
        TAXONOMY, thresholds=TopicThresholds(use_embeddings=False), embedder=embedder
    )
    result = baseline.assign(_article("Five habits that ease Computer Vision Syndrome"))
    assert result.topics == ["AI", "Computer Vision"]  # what the reference site did
    assert result.similarities == {}


def test_assign_many_matches_assign(assigner: TopicAssigner, embedder: Embedder) -> None:
    articles = [
        _article("DeepMind's AI plays a new game", "The Google lab's artificial intelligence won."),
        _article("A new soundset for the Behringer DeepMind", "Sixty analog synth pads."),
    ]
    many = assigner.assign_many(articles)
    assert [r.topics for r in many] == [assigner.assign(a).topics for a in articles]
    given = assigner.assign_many(articles, embeddings=list(embedder.encode(
        [f"{a.title}\n{a.excerpt}" for a in articles])))  # fmt: skip
    assert [r.topics for r in given] == [r.topics for r in many]
    assert many[0].topics == ["AI", "Google AI"] and many[1].off_topic


def test_confirmed_articles_move_the_profile(embedder: Embedder) -> None:
    local = TopicAssigner(TAXONOMY, embedder=embedder)
    story = embedder.encode_one("Radiologists adopt software that triages chest X-rays")
    before = local.similarities(story)["AI in Healthcare"]
    for text in ["Hospital software reads X-rays", "Radiology AI triages scans in the ER"]:
        local.confirm("AI in Healthcare", embedder.encode_one(text))
    after = local.similarities(story)["AI in Healthcare"]
    assert after > before
    with pytest.raises(KeyError):
        local.confirm("No Such Topic", story)


def test_rank_orders_topics_without_the_root(assigner: TopicAssigner) -> None:
    ranking = assigner.rank(_article("Face recognition cameras spread", "Computer vision."))
    assert ranking[0][0] == "Computer Vision"
    assert "AI" not in [name for name, _ in ranking]
    scores = [score for _, score in ranking]
    assert scores == sorted(scores, reverse=True)
    assert np.isfinite(scores).all()
