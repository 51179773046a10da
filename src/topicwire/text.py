"""Small text helpers shared by several stages."""

from __future__ import annotations

import re
import unicodedata

# Characters dropped without leaving a word break: "Apple's" -> "apples", "A.I." -> "ai",
# "Halo/Stryker" -> "halostryker", "$40" -> "40" (the reference site's file names do the same).
_DROPPED = re.compile("['\u2018\u2019\u201c\u201d\".$/]")
_SEPARATORS = re.compile(r"[\W_]+")


def slugify(text: str, *, max_length: int = 120) -> str:
    """A lowercase slug with hyphens, cut at a hyphen to at most ``max_length`` characters.

    Latin letters lose their accents (``Ünïcode`` -> ``unicode``); letters of other scripts are
    kept (``主题`` stays), so a non-English topic still gets a readable id.
    """
    if text.isascii():  # nothing to fold (most titles): skip the Unicode normalisations
        folded = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text.lower())
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
        folded = unicodedata.normalize("NFC", stripped)
    slug = _SEPARATORS.sub("-", _DROPPED.sub("", folded)).strip("-")
    if len(slug) > max_length:
        cut = slug.rfind("-", 0, max_length + 1)
        slug = slug[: cut if cut > 0 else max_length].strip("-")
    return slug
