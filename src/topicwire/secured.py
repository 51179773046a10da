"""The ``secured`` field: what must not be public, sealed with the site's key.

A value is AES-256-GCM over a JSON payload (the full extracted text, the original URL as fetched,
fetch provenance) with a 16-byte random nonce, written as ``base64(ciphertext+tag);base64(nonce)``.
The key is the site's ``secret.key`` (32 random bytes, base64, mode 0600) or the environment
variable ``TOPICWIRE_SECRET_KEY``. A value sealed elsewhere is never rewritten by topicwire; opening
it raises :class:`ForeignSecuredError`, which says so plainly.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from topicwire.errors import ConfigError, ForeignSecuredError, SecuredError

log = logging.getLogger(__name__)

KEY_SIZE = 32
NONCE_SIZE = 16
TAG_SIZE = 16
KEY_FILE_NAME = "secret.key"
KEY_ENV_VAR = "TOPICWIRE_SECRET_KEY"

_KEY_EXPECTED = (
    f"expected a {KEY_SIZE}-byte key written as standard base64 (44 characters) "
    f"or as hexadecimal (64 characters)"
)
FOREIGN_MESSAGE = (
    "this secured value cannot be opened with this site's key: "
    "it was sealed with another key or has been altered"
)


class SecuredPayload(BaseModel):
    """What a ``secured`` value holds: the full text, the URL as fetched and fetch provenance."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    text: str
    original_url: str | None = Field(default=None, alias="originalUrl")
    fetch: dict[str, Any] = Field(default_factory=dict)


def generate_key() -> bytes:
    """Return a new random 32-byte (AES-256) key."""
    return os.urandom(KEY_SIZE)


def encode_key(key: bytes) -> str:
    """Write ``key`` as standard base64 (the form ``secret.key`` holds)."""
    _check_key(key)
    return base64.b64encode(key).decode("ascii")


def decode_key(text: str) -> bytes:
    """Read a key written as standard base64 (44 characters) or hexadecimal (64 characters).

    Raises :class:`ConfigError` saying what is expected; the text itself is never echoed.
    """
    value = text.strip()
    key: bytes | None = None
    try:
        if len(value) == 64:
            key = bytes.fromhex(value)
        elif len(value) == 44:
            key = base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        key = None
    if key is None or len(key) != KEY_SIZE:
        raise ConfigError(_KEY_EXPECTED)
    return key


def write_key_file(path: Path, key: bytes | None = None) -> bytes:
    """Create ``path`` holding ``key`` (a new one if ``None``) with mode 0600; return the key.

    The file is created exclusively, so an existing key is never overwritten.
    """
    key = generate_key() if key is None else key
    content = (encode_key(key) + "\n").encode("ascii")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(f"{path} already exists; refusing to overwrite a secret key") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot create the secret key: {exc.strerror}") from exc
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        os.write(fd, content)
    finally:
        os.close(fd)
    log.info("created secret key %s", path)
    return key


def load_key(site_root: Path | None, env: Mapping[str, str] | None = None) -> bytes:
    """The site key: ``TOPICWIRE_SECRET_KEY`` if set (and not empty), else ``<site>/secret.key``.

    Logs a warning when the key file can be read by group or others; raises :class:`ConfigError`
    when there is no key or it is malformed.
    """
    env = os.environ if env is None else env
    from_env = env.get(KEY_ENV_VAR, "")
    if from_env.strip():
        try:
            return decode_key(from_env)
        except ConfigError as exc:
            raise ConfigError(f"{KEY_ENV_VAR}: {exc}") from None
    if site_root is None:
        raise ConfigError(f"no secret key: set {KEY_ENV_VAR} or open a site with a {KEY_FILE_NAME}")
    path = site_root / KEY_FILE_NAME
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise ConfigError(
            f"{path} not found: the site has no secret key (set {KEY_ENV_VAR} to use another)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the secret key: {exc}") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning(
            "%s is readable by other users (mode %o); it should be 0600", path, mode & 0o777
        )
    try:
        return decode_key(text)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def seal(payload: SecuredPayload, key: bytes) -> str:
    """Encrypt ``payload`` as ``base64(ciphertext+tag);base64(nonce)`` with a fresh nonce."""
    data = payload.model_dump_json(by_alias=True).encode("utf-8")
    nonce = os.urandom(NONCE_SIZE)
    sealed = _cipher(key).encrypt(nonce, data, None)
    return f"{_b64(sealed)};{_b64(nonce)}"


def open_sealed(value: str, key: bytes) -> SecuredPayload:
    """Decrypt and authenticate a ``secured`` value made by :func:`seal`.

    Raises :class:`SecuredError` for a malformed value and :class:`ForeignSecuredError` when the
    value is well formed but was sealed with another key or altered.
    """
    sealed, nonce = _split(value)
    try:
        data = _cipher(key).decrypt(nonce, sealed, None)
    except InvalidTag:
        raise ForeignSecuredError(FOREIGN_MESSAGE) from None
    try:
        return SecuredPayload.model_validate(json.loads(data.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
        raise SecuredError(
            f"the secured value opened but is not a topicwire payload: {exc}"
        ) from exc


def _split(value: str) -> tuple[bytes, bytes]:
    """The ciphertext+tag and nonce of a value, or :class:`SecuredError` saying what is wrong."""
    parts = value.strip().split(";")
    if len(parts) != 2:
        raise SecuredError(
            "malformed secured value: expected 'base64(ciphertext+tag);base64(nonce)'"
        )
    try:
        sealed = base64.b64decode(parts[0], validate=True)
        nonce = base64.b64decode(parts[1], validate=True)
    except (ValueError, binascii.Error) as exc:
        raise SecuredError(f"malformed secured value: bad base64 ({exc})") from None
    if len(nonce) != NONCE_SIZE:
        raise SecuredError(
            f"malformed secured value: the nonce is {len(nonce)} bytes, expected {NONCE_SIZE}"
        )
    if len(sealed) < TAG_SIZE:
        raise SecuredError("malformed secured value: too short to hold an authentication tag")
    return sealed, nonce


def _cipher(key: bytes) -> AESGCM:
    _check_key(key)
    return AESGCM(key)


def _check_key(key: bytes) -> None:
    if len(key) != KEY_SIZE:
        raise ConfigError(f"the secret key is {len(key)} bytes; AES-256 needs {KEY_SIZE}")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
