"""Extraction: clean article text and metadata from HTML or plain text, and the repair stage.

- :func:`extract_html` - a fetched page -> :class:`Extracted` (text via trafilatura, metadata from
  Open Graph / Twitter / JSON-LD / ``<link rel=canonical>``, dates, images, excerpt);
- :func:`extract_text` - plain text or markdown -> :class:`Extracted`;
- :func:`repair_text` / :func:`repair_field` - the repair stage on its own, with :class:`Repairs`
  counting each kind of fix for the quality stage.

The names are loaded when first asked for: a command that only needs one light submodule
(the boilerplate rules, say) does not pay for trafilatura and the word lists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from topicwire.lazy import lazy_names

if TYPE_CHECKING:
    from topicwire.extract.excerpt import make_excerpt
    from topicwire.extract.html import extract_html
    from topicwire.extract.repair import Repairs, repair_field, repair_text
    from topicwire.extract.result import Extracted, ExtractError
    from topicwire.extract.text import extract_text

__all__ = [
    "ExtractError",
    "Extracted",
    "Repairs",
    "extract_html",
    "extract_text",
    "make_excerpt",
    "repair_field",
    "repair_text",
]

__getattr__ = lazy_names(
    __name__,
    {
        "excerpt": ["make_excerpt"],
        "html": ["extract_html"],
        "repair": ["Repairs", "repair_field", "repair_text"],
        "result": ["Extracted", "ExtractError"],
        "text": ["extract_text"],
    },
)
