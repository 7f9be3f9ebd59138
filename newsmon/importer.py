"""Reading local files for `newsmon import`: walking paths, limits, decompression, decoding.

Every path given either yields a document or a one-line reason why not (missing, unreadable,
too large, binary, empty, undecodable). Limits are checked before reading, and a ``.gz`` file is
decompressed with the same byte limit, so a compressed bomb cannot exhaust memory.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsmon.errors import InputError
from newsmon.extract import DocumentKind, RawDocument

KINDS: dict[str, DocumentKind] = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html"}
_BINARY_SAMPLE = 8192
_CONTROL_SHARE = 0.05  # more control bytes than this in the sample: not a text file
_CONTROL_BYTES = frozenset(range(0, 32)) - {9, 10, 12, 13}


@dataclass(frozen=True)
class Unreadable:
    """A path that cannot be imported, with the reason."""

    path: Path
    reason: str


def document_kind(path: Path) -> DocumentKind | None:
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return KINDS.get(suffixes[-1]) if suffixes else None


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def iter_paths(paths: list[Path]) -> Iterator[Path | Unreadable]:
    """Files to import under ``paths`` (directories recursively, in name order), or why not."""
    for path in paths:
        if not os.path.lexists(path):
            yield Unreadable(path, "no such file or directory")
        elif path.is_dir():
            yield from _walk(path)
        elif document_kind(path) is None:
            yield Unreadable(path, f"unsupported file type (use {', '.join(sorted(KINDS))}, optionally .gz)")
        else:
            yield path


def _walk(directory: Path) -> Iterator[Path | Unreadable]:
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as exc:
        yield Unreadable(directory, f"cannot read directory: {_os_reason(exc)}")
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(path)
            elif entry.is_file() and document_kind(path) is not None:
                yield path
        except OSError as exc:
            yield Unreadable(path, f"cannot read: {_os_reason(exc)}")


def _read_limited(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"file too large: {size / 1e6:.1f} MB (limit {max_bytes / 1e6:.1f} MB, import.max_bytes)"
        )
    if path.suffix.lower() != ".gz":
        with path.open("rb") as handle:
            return handle.read(max_bytes + 1)
    try:
        with gzip.open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except (gzip.BadGzipFile, zlib.error, EOFError) as exc:
        raise InputError(f"broken gzip file: {exc}") from None
    if len(data) > max_bytes:
        raise InputError(
            f"decompressed content larger than the limit of {max_bytes / 1e6:.1f} MB (import.max_bytes)"
        )
    return data


def _is_binary(data: bytes) -> bool:
    sample = data[:_BINARY_SAMPLE]
    if b"\x00" in sample:
        return True
    return sum(byte in _CONTROL_BYTES for byte in sample) > _CONTROL_SHARE * len(sample)


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Decode bytes as UTF-8, else the Windows-1252 that German sites and editors still write.

    Returns the text and a note when it was not UTF-8.
    """
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "not UTF-8: decoded as Windows-1252"
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        guess = from_bytes(data).best()
        if guess is None:
            raise InputError("text encoding could not be determined") from None
        return str(guess), f"not UTF-8: decoded as {guess.encoding}"


def read_document(path: Path, max_bytes: int, source: str = "import") -> tuple[RawDocument, str | None]:
    """Read one file into a RawDocument (plus a note about its encoding) or raise InputError."""
    kind = document_kind(path)
    if kind is None:
        raise InputError("unsupported file type")
    try:
        data = _read_limited(path, max_bytes)
    except OSError as exc:
        raise InputError(f"cannot read: {_os_reason(exc)}") from None
    if not data.strip():
        raise InputError("empty file")
    if _is_binary(data):
        raise InputError("binary content, not a text or HTML document")
    text, note = decode_text(data)
    return RawDocument(url=path.absolute().as_uri(), content=text, kind=kind, source=source), note
