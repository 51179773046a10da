"""Language of an article, detected offline with py3langid, and the locale stored for it.

:func:`detect_language` reads the title, the excerpt and the head of the text (the first
:data:`SAMPLE_CHARS` characters) and returns an ISO 639 code with a normalised probability. The
identifier is loaded once (about half a second) from the model shipped inside py3langid; it holds
no state between calls, so the same text always gives the same answer.

:func:`choose_locale` turns that into the ``locale`` of the record: the site's locale (``en-US``)
when the detected language is the site's language, else the detected code (``de``). When the text
is too short or detection is unsure it trusts the page's ``<html lang>`` hint
(``meta["language"]``), then the site's locale.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from py3langid.langid import (  # type: ignore[import-untyped, unused-ignore]
    MODEL_FILE,
    LanguageIdentifier,
)

from topicwire.model import Article

log = logging.getLogger(__name__)

#: how much of the body is read (the head is enough, and keeps detection fast)
SAMPLE_CHARS = 2000
#: below this many characters (after joining title, excerpt and text) detection is not tried
MIN_CHARS = 40
#: codes that are not a language: "no linguistic content", "undetermined"
NOT_LANGUAGES = frozenset({"zxx", "und"})

_identifier: Any = None
_lock = threading.Lock()


def _get_identifier() -> Any:
    """The shared identifier with normalised probabilities (loaded on first use)."""
    global _identifier
    with _lock:
        if _identifier is None:
            log.debug("loading the py3langid model")
            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _identifier


def sample_text(article: Article) -> str:
    """What detection reads: title, excerpt and the first :data:`SAMPLE_CHARS` of the text."""
    parts = (article.title, article.excerpt or "", (article.text or "")[:SAMPLE_CHARS])
    return "\n".join(" ".join(p.split()) for p in parts if p and p.strip())


def detect_language(text: str) -> tuple[str, float]:
    """The language of ``text`` (an ISO 639 code such as ``en``) and its probability (0-1).

    Empty or featureless text gives ``("und", 0.0)``.
    """
    text = " ".join(text.split())
    if not text:
        return "und", 0.0
    code, probability = _get_identifier().classify(text)
    return str(code), float(probability)


def primary_subtag(tag: str) -> str:
    """The language subtag of a BCP 47 tag, lower-case: ``en-US`` -> ``en``, ``pt_BR`` -> ``pt``."""
    return tag.strip().replace("_", "-").split("-")[0].lower()


def choose_locale(
    article: Article, site_locale: str, *, min_confidence: float = 0.8
) -> tuple[str | None, list[str]]:
    """The locale to store for ``article`` on a site whose locale is ``site_locale``, with reasons.

    - detected language == the site's language: the site's locale (``en`` text -> ``en-US``);
    - detected with at least ``min_confidence``, another language: the detected code (``de``);
    - text shorter than :data:`MIN_CHARS` or detection unsure: the page's lang hint
      (``meta["language"]``) if it has one, else the site's locale.
    """
    reasons: list[str] = []
    sample = sample_text(article)
    hint = (article.meta.get("language") or "").strip() or None
    if len(sample) < MIN_CHARS:
        reasons.append(f"text too short to detect ({len(sample)} < {MIN_CHARS} chars)")
    else:
        code, probability = detect_language(sample)
        if code in NOT_LANGUAGES or probability < min_confidence:
            reasons.append(f"detection unsure: {code} at {probability:.2f} < {min_confidence:.2f}")
        elif code == primary_subtag(site_locale):
            reasons.append(f"detected {code} ({probability:.2f}) matches site locale {site_locale}")
            return site_locale, reasons
        else:
            reasons.append(f"detected {code} ({probability:.2f}), not the site's language")
            return code, reasons
    if hint:
        reasons.append(f"fell back to the page's lang hint {hint}")
        return _hint_locale(hint, site_locale), reasons
    reasons.append(f"fell back to the site locale {site_locale}")
    return site_locale or None, reasons


def _hint_locale(hint: str, site_locale: str) -> str:
    """A lang hint in the site's language becomes the site's locale, else its language subtag."""
    language = primary_subtag(hint)
    if site_locale and language == primary_subtag(site_locale):
        return site_locale
    return language or hint
