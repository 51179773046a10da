"""What the publish templates share: a compiled-template cache kept between runs.

Compiling the site's templates costs about a tenth of a second, paid by every ``topicwire
publish`` (a new process each time) and by every forked render worker that had not seen them.
Jinja's file system bytecode cache keeps the compiled code in a private per-user folder of the
temp directory (mode 0700, checked by Jinja), keyed by each template's name and source checksum,
so an edited template is never served stale. The compiled code also depends on the environment's
options (autoescaping above all), which Jinja's key leaves out: each environment passes a
description of its options, and its files carry a digest of it in their names. A cache that
cannot be used is no error: the templates are then compiled as usual.
"""

from __future__ import annotations

import functools
import hashlib
import logging

from jinja2 import BytecodeCache, FileSystemBytecodeCache
from jinja2.bccache import Bucket

log = logging.getLogger(__name__)


class _QuietCache(FileSystemBytecodeCache):
    """A bytecode cache whose failures (a full or vanished folder) only cost a compile."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError) as exc:
            log.debug("template cache not read: %s", exc)
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as exc:
            log.debug("template cache not written: %s", exc)


@functools.cache
def bytecode_cache(options: str) -> BytecodeCache | None:
    """The cache of an environment whose compile options ``options`` describes (any text that
    changes with them), or None when no safe private folder can be had."""
    tag = hashlib.sha256(options.encode("utf-8")).hexdigest()[:16]
    try:
        return _QuietCache(pattern=f"topicwire-{tag}-%s.cache")
    except (OSError, RuntimeError) as exc:
        log.debug("no template cache: %s", exc)
        return None
