"""The repair stage: mojibake, glued words, captions, repeated headings, boilerplate."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topicwire.extract.glued import split_glued
from topicwire.extract.repair import Repairs, repair_field, repair_text

SEED_000 = "000_f53d050884749cbd.txt"


@pytest.mark.parametrize(
    ("glued", "fixed"),
    [
        ("thisisn\u2019t", ("this", "isn\u2019t")),
        ("layoffsmight", ("layoffs", "might")),
        ("takeawayisn\u2019t", ("takeaway", "isn\u2019t")),
        ("thisisn't", ("this", "isn't")),
        ("theymight", ("they", "might")),
    ],
)
def test_glued_words_are_split(glued: str, fixed: tuple[str, str]) -> None:
    assert split_glued(glued) == fixed


@pytest.mark.parametrize(
    "word",
    [
        "nevertheless", "therapist", "cannot", "somewhere", "iPhone", "OpenAI", "ChatGPT",
        "McDonald", "#MachineLearning", "@nytimes", "https://example.com/layoffsmight",
        "snake_case_name", "camelCaseName", "NASA", "COVID19", "pretrained", "genai", "deepfakes",
        "upskilling", "cofounder", "nonprofit", "wellbeing", "alice@example.com", "isn\u2019t",
        "Sundararajan", "x86", "layoffs",
    ],
)  # fmt: skip
def test_real_words_names_and_code_are_not_split(word: str) -> None:
    assert split_glued(word) is None
    text = f"We read about {word} in the report and it was interesting for all of us to see."
    assert repair_text(text)[0] == text


def test_glued_words_in_text_keep_urls_and_handles() -> None:
    text = (
        "What fascinates me is that thisisn\u2019t just about cost at https://example.com/"
        "layoffsmight or for @layoffsmight and #layoffsmight, since layoffsmight matter. "
        "It is about the people who work there and what they will do next, and about what the "
        "company wants to build over the next few years with the money it saves."
    )
    fixed, repairs = repair_text(text)
    assert "this isn\u2019t" in fixed
    assert "https://example.com/layoffsmight" in fixed
    assert "@layoffsmight" in fixed and "#layoffsmight" in fixed
    assert "layoffs might matter" in fixed
    assert repairs["glued-words"] == 2


def test_glued_words_are_not_split_in_other_languages() -> None:
    text = "Die Bundesregierung hat heute beschlossen, dass das Gesetz nicht kommt, sagte er."
    assert repair_text(text, language="de")[0] == text
    assert repair_text("Le gouvernement thisisn\u2019t rien.", language="fr")[1] == Repairs()


def test_mojibake_is_fixed_and_counted() -> None:
    text, repairs = repair_field("Amazon\u00e2\u20ac\u2122s Alexa division  is set")
    assert text == "Amazon\u2019s Alexa division is set"
    assert repairs == {"mojibake": 1}


def test_curly_quotes_and_accents_are_not_touched() -> None:
    text = (
        "\u201cIt\u2019s the caf\u00e9\u2019s Gr\u00f6\u00dfe,\u201d she said \u2014 na\u00efvely."
    )
    assert repair_field(text) == (text, Repairs())
    assert repair_text(text) == (text, Repairs())


def test_caption_and_repeated_heading_are_dropped() -> None:
    text = (
        "Intro paragraph that is long enough to be real text.\n\n"
        "The Real Reason Behind the Cuts\n\n"
        "The Real Reason Behind the Cuts\nSource: Layoffs\n\n"
        "Photo: Jane Doe/Reuters\n\n"
        "Body paragraph follows here."
    )
    fixed, repairs = repair_text(text)
    assert fixed == (
        "Intro paragraph that is long enough to be real text.\n\n"
        "The Real Reason Behind the Cuts\n\nBody paragraph follows here."
    )
    assert repairs == {"caption": 2, "repeated-heading": 1}


def test_boilerplate_blocks_at_the_end_are_dropped() -> None:
    body = "".join(
        f"Real paragraph {n} about the news, with enough words to be an article.\n\n"
        for n in ("one", "two", "three")
    )
    text = body + (
        "Share this:\n\nRelated posts\n\nAnother headline here\n\nYet another headline\n\n"
        "Leave a Reply\n\nYour email address will not be published. Required fields are marked *"
    )
    fixed, repairs = repair_text(text)
    assert fixed == body.strip()
    assert repairs["boilerplate"] >= 2


def test_real_content_mentioning_markers_is_kept() -> None:
    text = (
        "Readers who subscribe to the newsletter get the report first, the company said.\n\n"
        "Source: the company did not say which source it used for the figures in its annual "
        "report, which ran to more than two hundred pages and covered every division.\n\n"
        "Related posts on the forum were removed after the complaint.\n\n"
        "The sources said the deal would close next week. Share prices rose."
    )
    fixed, repairs = repair_text(text)
    assert fixed == text
    assert not repairs


def test_a_long_tail_after_a_marker_is_kept() -> None:
    long_paragraph = "This paragraph is real article text and it goes on. " * 12
    text = f"Opening paragraph.\n\nRead more\n\n{long_paragraph.strip()}"
    assert repair_text(text)[0] == text


def test_seed_000(shared: Path) -> None:
    raw = (shared / "seeds" / SEED_000).read_text("utf-8")
    fixed, repairs = repair_text(raw)
    for good in ("this isn\u2019t", "layoffs might", "takeaway isn\u2019t"):
        assert good in fixed
    for bad in ("thisisn\u2019t", "layoffsmight", "takeawayisn\u2019t", "Source: Layoffs"):
        assert bad not in fixed
    assert "Leave a Reply" not in fixed and "Required fields are marked" not in fixed
    assert fixed.count("The Real Reason Behind the Cuts | Beyond Cost Savings") == 1
    assert "\n\nLayoffs\n\n" not in fixed
    assert repairs["glued-words"] == 3
    assert repairs["caption"] >= 1 and repairs["repeated-heading"] >= 1
    assert repairs["boilerplate"] >= 1
    assert repair_text(fixed) == (fixed, Repairs())


COMMON = [
    "the", "company", "said", "it", "would", "cut", "jobs", "in", "its", "new", "unit", "and",
    "focus", "on", "products", "people", "use", "every", "day", "more", "than", "a", "year",
    "after", "plan", "was", "made", "public", "by", "team", "work", "market", "growth", "data",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(COMMON), min_size=3, max_size=20), min_size=1, max_size=8))
def test_plain_sentences_of_common_words_are_unchanged(sentences: list[list[str]]) -> None:
    text = " ".join(" ".join(words).capitalize() + "." for words in sentences)
    assert repair_text(text) == (text, Repairs())
    assert repair_field(text) == (text, Repairs())


_PIECES = st.sampled_from(
    [
        "word", "thisisn\u2019t", "layoffsmight", "Amazon\u00e2\u20ac\u2122s", "Source: X", "X",
        "Leave a Reply", "Share this:", "Related posts", "\n", "\n\n", " ", "  ", ".", "caf\u00e9",
        "Heading", "Heading\nHeading", "Required fields are marked *", "https://a.b/c", "#tag",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=40))
def test_repair_is_idempotent(pieces: list[str]) -> None:
    text = " ".join(pieces)
    once, _ = repair_text(text)
    assert repair_text(once)[0] == once
    field, _ = repair_field(text)
    assert repair_field(field)[0] == field


@pytest.mark.parametrize(
    ("before", "after", "count"),
    [
        (
            "Amazon AI layoffs . More cuts are coming.",
            "Amazon AI layoffs. More cuts are coming.",
            1,
        ),
        ("in Paris , he said .", "in Paris, he said.", 2),
        ("the .NET runtime grew 0 .5 percent", "the .NET runtime grew 0 .5 percent", 0),
        ("and then ... nothing", "and then ... nothing", 0),
    ],
)
def test_stray_space_before_punctuation(before: str, after: str, count: int) -> None:
    fixed, repairs = repair_text(before)
    assert fixed == after
    assert repairs.get("stray-space", 0) == count
    assert repair_field(before)[0] == after
