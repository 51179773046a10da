"""Type and category of an article, from ordered evidence, each decision with its reasons.

The type is one of :data:`TYPES`. Evidence is read in a fixed order and the first kind of evidence
that names a type decides; what the later kinds say is still recorded in the reasons (as
"outranked"), so a surprising decision can be explained from the record:

1. the JSON-LD ``@type`` (``meta["jsonLdType"]``): ``VideoObject``, ``PodcastEpisode``,
   ``ScholarlyArticle``, ``OpinionNewsArticle``, ``HowTo`` ... Generic types (``NewsArticle``,
   ``Article``, ``BlogPosting``, ``WebPage``) say nothing about the kind, so they do not decide;
2. the Open Graph type (``meta["ogType"]``): ``video.*`` is a video, ``music.*`` (audio) and
   ``podcast*`` a podcast; ``article`` and ``website`` are generic;
3. URL and domain patterns of ``webUrl`` / ``originalUrl`` and the provider's domain: video and
   podcast hosts, preprint servers and DOIs, press-release wires, then path segments
   (``/video/``, ``/opinion/``, ``/how-to/`` ...), medium before stance;
4. text cues: wire markers (``(BUSINESS WIRE)``, ``/PRNewswire/``, ``FOR IMMEDIATE RELEASE``) or a
   ``-- `` dateline with a closing ``About <Company>`` block, ``Abstract`` with arXiv or a DOI,
   then title prefixes (``How to``, ``A beginner's guide``, ``Opinion:``, ``Op-Ed:``).

Without evidence the type is ``article``.

The category is ``news`` for every item today. The seam for the reference site's other categories
(``learning``, ``projects`` ...) is :data:`CATEGORY_RULES`: an ordered tuple of functions that take
the article and the decided type and return ``(category, reason)`` or ``None``; the first answer
wins and ``news`` is the fallback. A ``learning`` rule would, for example, claim tutorials from
documentation hosts; adding it is one function and one entry in the tuple.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TypeAlias
from urllib.parse import urlsplit

from topicwire.model import Article

log = logging.getLogger(__name__)

TYPES = ("article", "video", "podcast", "paper", "press-release", "opinion", "tutorial")
DEFAULT_TYPE = "article"
DEFAULT_CATEGORY = "news"

#: specific JSON-LD types; anything else (``NewsArticle``, ``Article``, ``BlogPosting``) is generic
JSON_LD_TYPES: dict[str, str] = {
    "videoobject": "video",
    "videogallery": "video",
    "movie": "video",
    "tvepisode": "video",
    "clip": "video",
    "podcastepisode": "podcast",
    "podcastseries": "podcast",
    "podcastseason": "podcast",
    "audioobject": "podcast",
    "radioepisode": "podcast",
    "scholarlyarticle": "paper",
    "medicalscholarlyarticle": "paper",
    "opinionnewsarticle": "opinion",
    "howto": "tutorial",
    "techarticle": "tutorial",
    "analysisnewsarticle": "article",
    "reportagenewsarticle": "article",
    "backgroundnewsarticle": "article",
}

#: Open Graph types by prefix (``video.movie``, ``music.song`` ...); ``article`` is generic
OG_TYPE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("video", "video"),
    ("music", "podcast"),
    ("podcast", "podcast"),
    ("audio", "podcast"),
)

#: (host suffix, path prefix, type): hosts that only publish one kind of item
HOST_RULES: tuple[tuple[str, str, str], ...] = (
    ("youtube.com", "/watch", "video"),
    ("youtube.com", "/shorts/", "video"),
    ("youtu.be", "/", "video"),
    ("vimeo.com", "/", "video"),
    ("dailymotion.com", "/video/", "video"),
    ("podcasts.apple.com", "/", "podcast"),
    ("spotify.com", "/episode/", "podcast"),
    ("spotify.com", "/show/", "podcast"),
    ("podcasts.google.com", "/", "podcast"),
    ("arxiv.org", "/abs/", "paper"),
    ("arxiv.org", "/pdf/", "paper"),
    ("doi.org", "/10.", "paper"),
    ("biorxiv.org", "/content/", "paper"),
    ("medrxiv.org", "/content/", "paper"),
    ("prnewswire.com", "/", "press-release"),
    ("businesswire.com", "/", "press-release"),
    ("globenewswire.com", "/", "press-release"),
)

#: path segments, medium before stance: ``/opinion/video/x`` is a video
PATH_SEGMENTS: tuple[tuple[str, str], ...] = (
    ("video", "video"),
    ("videos", "video"),
    ("podcast", "podcast"),
    ("podcasts", "podcast"),
    ("papers", "paper"),
    ("press-release", "press-release"),
    ("press-releases", "press-release"),
    ("pressroom", "press-release"),
    ("opinion", "opinion"),
    ("opinions", "opinion"),
    ("op-ed", "opinion"),
    ("commentary", "opinion"),
    ("editorial", "opinion"),
    ("editorials", "opinion"),
    ("tutorial", "tutorial"),
    ("tutorials", "tutorial"),
    ("how-to", "tutorial"),
    ("guide", "tutorial"),
    ("guides", "tutorial"),
)

#: title prefixes (case-insensitive)
TITLE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("video:", "video"),
    ("watch:", "video"),
    ("podcast:", "podcast"),
    ("opinion:", "opinion"),
    ("op-ed:", "opinion"),
    ("commentary:", "opinion"),
    ("editorial:", "opinion"),
    ("how to ", "tutorial"),
    ("a beginner's guide", "tutorial"),
    ("beginner's guide", "tutorial"),
    ("tutorial:", "tutorial"),
)

#: markers that only press releases carry (case-sensitive: the wires print them this way)
WIRE_MARKERS: tuple[str, ...] = (
    "(BUSINESS WIRE)",
    "/PRNewswire/",
    "(GLOBE NEWSWIRE)",
    "FOR IMMEDIATE RELEASE",
)

#: how much of the text the cues read: the head for datelines and abstracts, the tail for
#: the "About <Company>" block
HEAD_CHARS = 3000
TAIL_CHARS = 3000

_DATELINE = re.compile(r"^[A-Z][\w.,' ()/-]{2,120}?\s(?:--|\u2014|\u2013)\s", re.MULTILINE)
_ABOUT_BLOCK = re.compile(r"^About [A-Z][\w&.,' -]{1,60}$", re.MULTILINE)
_ABSTRACT = re.compile(r"^\s*Abstract\b", re.MULTILINE)
_ARXIV = re.compile(r"\barXiv:\s?\d{4}\.\d{4,5}|\barXiv\b")
_DOI = re.compile(r"\b(?:doi:\s?|doi\.org/)?10\.\d{4,9}/\S+", re.IGNORECASE)


@dataclass(frozen=True)
class KindDecision:
    """The type and category of an article; ``reasons`` names the deciding evidence first."""

    type: str
    category: str
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Evidence:
    """One observation: the type it names and how it reads in the reasons."""

    type: str
    reason: str


def _json_ld(article: Article) -> Iterator[_Evidence]:
    raw = article.meta.get("jsonLdType") or ""
    for value in re.split(r"[,\s]+", raw.strip()):
        name = re.split(r"[/:#]", value)[-1]  # "https://schema.org/VideoObject" -> VideoObject
        kind = JSON_LD_TYPES.get(name.lower())
        if kind:
            yield _Evidence(kind, f"JSON-LD @type {name}")


def _og_type(article: Article) -> Iterator[_Evidence]:
    og = (article.meta.get("ogType") or "").strip().lower()
    for prefix, kind in OG_TYPE_PREFIXES:
        if og == prefix or og.startswith(prefix + ".") or og.startswith(prefix + ":"):
            yield _Evidence(kind, f"og:type {og}")
            return


def _urls(article: Article) -> list[str]:
    urls: list[str] = []
    for url in (article.web_url, article.original_url):
        if url and url not in urls:
            urls.append(url)
    domain = article.provider.domain if article.provider else None
    if domain:
        urls.append(f"https://{domain.strip().strip('/')}/")
    return urls


def _host_matches(host: str, suffix: str) -> bool:
    return host == suffix or host.endswith("." + suffix)


def _url_patterns(article: Article) -> Iterator[_Evidence]:
    for url in _urls(article):
        try:
            parts = urlsplit(url.strip())
            host = (parts.hostname or "").lower()
        except ValueError:  # a malformed address ("http://[::1") is no evidence
            log.debug("unreadable URL %r", url)
            continue
        path = parts.path or "/"
        for suffix, prefix, kind in HOST_RULES:
            if _host_matches(host, suffix) and path.lower().startswith(prefix):
                where = suffix if prefix == "/" else f"{suffix}{prefix.rstrip('/')}"
                yield _Evidence(kind, f"domain {where}")
        segments = [s.lower() for s in path.split("/") if s]
        for segment, kind in PATH_SEGMENTS:
            if segment in segments[:-1] or (segment in segments and path.endswith("/")):
                yield _Evidence(kind, f"URL path /{segment}/")
        for first, second in pairwise(segments):
            if first == "newsroom" and second.startswith("press"):
                yield _Evidence("press-release", f"URL path /newsroom/{second}")
        if path.lower().endswith(".pdf"):
            yield _Evidence("paper", "URL ends with .pdf")


def _text_cues(article: Article) -> Iterator[_Evidence]:
    text = article.text or article.excerpt or ""
    head, tail = text[:HEAD_CHARS], text[-TAIL_CHARS:]
    markers = [m for m in WIRE_MARKERS if m in head]
    if markers:
        yield _Evidence("press-release", f'text has "{markers[0]}"')
    else:
        dateline = _DATELINE.search(head[:600])
        about = _ABOUT_BLOCK.search(tail)
        if dateline and about:
            yield _Evidence(
                "press-release", f'dateline "-- " and closing "{about.group(0).strip()}" block'
            )
    if _ABSTRACT.search(head):
        if _ARXIV.search(text):
            yield _Evidence("paper", 'text has "Abstract" and arXiv')
        elif _DOI.search(head):
            yield _Evidence("paper", 'text has "Abstract" and a DOI')
    title = " ".join(article.title.split())
    for prefix, kind in TITLE_PREFIXES:
        if title.lower().replace("\u2019", "'").startswith(prefix):
            yield _Evidence(kind, f'title starts with "{title[: len(prefix)].strip()}"')
            break


#: the evidence kinds, strongest first
_SOURCES: tuple[Callable[[Article], Iterator[_Evidence]], ...] = (
    _json_ld,
    _og_type,
    _url_patterns,
    _text_cues,
)

#: a category rule: (article, decided type) -> (category, reason), or None when it does not apply
CategoryRule: TypeAlias = Callable[[Article, str], tuple[str, str] | None]

#: the category rules, first answer wins; empty today (every item is news)
CATEGORY_RULES: tuple[CategoryRule, ...] = ()


def _category(article: Article, kind: str) -> tuple[str, str]:
    for rule in CATEGORY_RULES:
        answer = rule(article, kind)
        if answer is not None:
            return answer
    return DEFAULT_CATEGORY, f"category {DEFAULT_CATEGORY} (default)"


def _also(evidence: _Evidence, decided: str) -> str:
    verdict = "agrees" if evidence.type == decided else "outranked"
    return f"{evidence.reason} -> {evidence.type} ({verdict})"


def classify(article: Article) -> KindDecision:
    """Decide the type and category of ``article`` from its metadata, URLs and text."""
    decided: _Evidence | None = None
    outranked: list[str] = []
    for source in _SOURCES:
        found = list(dict.fromkeys(source(article)))  # keep order, drop repeats
        if not found:
            continue
        if decided is None:
            decided, found = found[0], found[1:]
        outranked.extend(_also(e, decided.type) for e in found)
    if decided is None:
        kind, reasons = DEFAULT_TYPE, [f"no type evidence; default {DEFAULT_TYPE}"]
    else:
        kind, reasons = decided.type, [decided.reason, *outranked]
    category, category_reason = _category(article, kind)
    reasons.append(category_reason)
    log.debug("kind of %s: %s/%s (%s)", article.url, kind, category, "; ".join(reasons))
    return KindDecision(type=kind, category=category, reasons=reasons)
