"""detect_language and choose_locale: offline language detection and the stored locale."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topicwire.enrich.language import (
    MIN_CHARS,
    SAMPLE_CHARS,
    choose_locale,
    detect_language,
    primary_subtag,
    sample_text,
)
from topicwire.model import Article

SAMPLES = {
    "en": (
        "The city council approved a new budget on Tuesday evening. The plan raises spending on "
        "schools and repairs several old bridges, officials said. Opponents argued that taxes "
        "would have to rise next year."
    ),
    "de": (
        "Der Stadtrat hat am Dienstagabend einen neuen Haushalt beschlossen. Der Plan sieht mehr "
        "Geld für Schulen und die Reparatur mehrerer alter Brücken vor. Kritiker befürchten, "
        "dass die Steuern im nächsten Jahr steigen müssen."
    ),
    "fr": (
        "Le conseil municipal a adopté mardi soir un nouveau budget. Le plan augmente les "
        "dépenses pour les écoles et la réparation de plusieurs vieux ponts. Les opposants "
        "craignent une hausse des impôts l'année prochaine."
    ),
    "es": (
        "El ayuntamiento aprobó el martes por la noche un nuevo presupuesto. El plan aumenta el "
        "gasto en las escuelas y en la reparación de varios puentes antiguos. Los críticos temen "
        "que los impuestos tengan que subir el año que viene."
    ),
    "zh": (
        "市议会周二晚上批准了新的预算。该计划增加了学校的支出，并修复了几座旧桥。"  # noqa: RUF001
        "反对者担心明年不得不提高税收。"
    ),
    "ru": (
        "Городской совет во вторник вечером утвердил новый бюджет. План увеличивает расходы на "
        "школы и ремонт нескольких старых мостов. Противники опасаются, что в следующем году "
        "придётся поднять налоги."
    ),
}


def article(text: str | None, *, title: str = "", hint: str | None = None) -> Article:
    meta = {"language": hint} if hint else {}
    return Article(title=title, text=text, meta=meta)


# --- detect_language -------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_detects_each_language(code: str) -> None:
    detected, probability = detect_language(SAMPLES[code])
    assert detected == code
    assert 0.8 <= probability <= 1.0


def test_empty_text_is_undetermined() -> None:
    assert detect_language("") == ("und", 0.0)
    assert detect_language("  \n\t ") == ("und", 0.0)


def test_detection_is_deterministic() -> None:
    first = [detect_language(text) for text in SAMPLES.values()]
    again = [detect_language(text) for text in reversed(SAMPLES.values())]
    assert first == list(reversed(again))


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_code_and_a_probability(text: str) -> None:
    code, probability = detect_language(text)
    assert code
    assert 0.0 <= probability <= 1.0 + 1e-6
    assert detect_language(text) == (code, probability)


# --- sample_text -----------------------------------------------------------------------------


def test_sample_reads_title_excerpt_and_the_head_of_the_text() -> None:
    long_text = "word " * 2000
    item = Article(title="A  title", excerpt="An\nexcerpt", text=long_text)
    sample = sample_text(item)
    assert sample.startswith("A title\nAn excerpt\nword word")
    assert len(sample) <= len("A title\nAn excerpt\n") + SAMPLE_CHARS


# --- choose_locale ---------------------------------------------------------------------------


def test_site_language_keeps_the_site_locale() -> None:
    locale, reasons = choose_locale(article(SAMPLES["en"]), "en-US")
    assert locale == "en-US"
    assert reasons[0].startswith("detected en (")
    assert reasons[0].endswith("matches site locale en-US")


def test_other_language_gives_the_detected_code() -> None:
    locale, reasons = choose_locale(article(SAMPLES["de"]), "en-US")
    assert locale == "de"
    assert reasons == [reasons[0]]
    assert reasons[0].startswith("detected de (")


@pytest.mark.parametrize(
    ("code", "site", "expected"),
    [
        ("fr", "fr-FR", "fr-FR"),
        ("fr", "fr_CA", "fr_CA"),
        ("es", "en-US", "es"),
        ("zh", "en-US", "zh"),
        ("ru", "de-DE", "ru"),
        ("en", "EN-gb", "EN-gb"),
    ],
)
def test_locale_rule(code: str, site: str, expected: str) -> None:
    assert choose_locale(article(SAMPLES[code]), site)[0] == expected


def test_detection_beats_a_wrong_hint() -> None:
    locale, _ = choose_locale(article(SAMPLES["de"], hint="en"), "en-US")
    assert locale == "de"


def test_short_text_falls_back_to_the_hint() -> None:
    item = article(None, title="Haushalt beschlossen", hint="de-DE")
    assert len(sample_text(item)) < MIN_CHARS
    locale, reasons = choose_locale(item, "en-US")
    assert locale == "de"
    assert reasons == [
        f"text too short to detect (20 < {MIN_CHARS} chars)",
        "fell back to the page's lang hint de-DE",
    ]


def test_hint_in_the_site_language_gives_the_site_locale() -> None:
    locale, _ = choose_locale(article(None, title="Budget passes", hint="en-GB"), "en-US")
    assert locale == "en-US"


def test_short_text_without_hint_falls_back_to_the_site_locale() -> None:
    locale, reasons = choose_locale(article(None, title="Budget passes"), "en-US")
    assert locale == "en-US"
    assert reasons[-1] == "fell back to the site locale en-US"


def test_unsure_detection_falls_back() -> None:
    item = article(SAMPLES["es"], hint="es")
    locale, reasons = choose_locale(item, "en-US", min_confidence=1.01)
    assert locale == "es"
    assert reasons[0].startswith("detection unsure: es at ")
    assert reasons[1] == "fell back to the page's lang hint es"


def test_symbols_only_is_not_a_language() -> None:
    item = article("1234 5678 -- 9012 / 3456 ++ 7890 == 1234 ** 5678 ## 9012 && 3456", hint="fr")
    locale, reasons = choose_locale(item, "en-US")
    assert locale == "fr"
    assert reasons[0].startswith("detection unsure")


def test_choose_locale_is_deterministic() -> None:
    items = [article(text) for text in SAMPLES.values()]
    first = [choose_locale(item, "en-US") for item in items]
    assert [choose_locale(item, "en-US") for item in items] == first


@pytest.mark.parametrize(
    ("tag", "language"), [("en-US", "en"), ("pt_BR", "pt"), ("DE", "de"), ("zh-Hant-TW", "zh")]
)
def test_primary_subtag(tag: str, language: str) -> None:
    assert primary_subtag(tag) == language
