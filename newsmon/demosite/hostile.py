"""The pages a crawler must survive: bombs, giants, wrong bytes, broken XML, stalls and refusals.

Each function builds one hostile reply or wraps a route in one hostile behaviour. They are written
so the *site* stays cheap: the gzip bomb is compressed once from a single chunk and cached, the
oversized page is streamed from one reused chunk, and nothing large is held decompressed.
"""

from __future__ import annotations

import html
import itertools
import struct
import threading
import zlib
from collections.abc import Iterator, Sequence
from functools import cache

from newsmon.demosite.replies import HTML, Reply, Request, Route

BOMB_PATTERN = b"<p>Liveticker KI-Gipfel: Aktualisierung folgt.</p>\n"
_BOMB_CHUNK = BOMB_PATTERN * ((1 << 20) // len(BOMB_PATTERN))  # just under 1 MiB, whole patterns
_BOMB_CHUNKS = -(-(1 << 30) // len(_BOMB_CHUNK))  # enough chunks for at least 1 GiB
BOMB_SIZE = len(_BOMB_CHUNK) * _BOMB_CHUNKS  # decompressed size, >= 1 GiB
_bomb_lock = threading.Lock()

_STREAM_CHUNK = 64 * 1024
_LAUGH_LEVELS = 9  # 10**9 copies of "lol" once expanded


def gzip_bomb() -> bytes:
    """A gzip member (RFC 1952) that inflates to ``BOMB_SIZE`` bytes of ``BOMB_PATTERN``.

    After a full flush deflate output is byte-aligned and independent of earlier data, so the
    compressed form of one chunk can be repeated: about 3 MB of output for 1 GiB of input,
    built in half a second (the CRC is the slow part) instead of compressing a gigabyte.
    """
    with _bomb_lock:
        return _gzip_bomb()


@cache
def _gzip_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
    block = compressor.compress(_BOMB_CHUNK) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(_BOMB_CHUNKS):
        crc = zlib.crc32(_BOMB_CHUNK, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # deflate, no name, no mtime, max compression
    return b"".join((header, block * _BOMB_CHUNKS, final, struct.pack("<II", crc, BOMB_SIZE % (1 << 32))))


def gzip_bomb_reply() -> Reply:
    """Sent gzip-encoded whatever the client accepts, as a misconfigured or malicious server would."""
    headers = (("Content-Type", HTML), ("Content-Encoding", "gzip"), ("Cache-Control", "no-store"))
    return Reply(200, headers, gzip_bomb())


def oversized_page(size: int, title: str) -> Reply:
    """An HTML page of exactly ``size`` bytes, streamed in 64 KiB chunks from one reused chunk."""
    title = html.escape(title)
    head = f'<!doctype html>\n<html lang="de"><head><meta charset="utf-8"><title>{title}</title></head>\n<body><article><h1>{title}</h1>\n'.encode()
    tail = b"</article></body></html>\n"
    paragraph = "<p>Ausfuhrliste Kategorie 3A090: Integrierte Schaltungen mit einer Gesamtrechenleistung über dem Schwellenwert, einschließlich aller Varianten für Rechenzentren.</p>\n".encode()
    chunk = (paragraph * (_STREAM_CHUNK // len(paragraph) + 1))[:_STREAM_CHUNK]
    filler = size - len(head) - len(tail)
    if filler < 0:
        raise ValueError(f"an oversized page needs at least {len(head) + len(tail)} bytes")

    def chunks() -> Iterator[bytes]:
        yield head
        full, rest = divmod(filler, len(chunk))
        yield from itertools.repeat(chunk, full)
        yield b" " * rest
        yield tail

    return Reply(200, (("Content-Type", HTML),), chunks=chunks, length=size)


def pdf_document(title: str, author: str, lines: Sequence[str]) -> bytes:
    """A small valid PDF 1.4 (one page of text, exact xref offsets) that a crawler must skip."""
    text = " T*\n".join(f"({_pdf_string(line)}) Tj" for line in lines)
    stream = f"BT\n/F1 11 Tf\n14 TL\n72 770 Td\n{text}\nET\n".encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        f"<< /Title ({_pdf_string(title)}) /Author ({_pdf_string(author)}) /Producer (Tagesblick Redaktionssystem) >>".encode(
            "cp1252"
        ),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (len(objects) + 1, len(objects))
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def misdeclared_cp1252(page: str) -> bytes:
    """The page in Windows-1252 bytes; its header and meta tag still say UTF-8 (a classic CMS bug)."""
    return page.encode("cp1252", errors="xmlcharrefreplace")


def malformed_feed(rss: str) -> bytes:
    """A feed broken the way real ones are: a raw ``&``, an HTML-only entity and a truncated end.

    The item structure stays intact, so a recovering parser still finds every item and link.
    """
    broken = rss.replace("</description>", " – Forschung & Entwicklung</description>", 1)
    broken = broken.replace("</title>\n    <link>", "&nbsp;</title>\n    <link>", 1)  # the first item's title
    return broken.rpartition("</channel>")[0].encode()


def billion_laughs_feed(rss: str) -> bytes:
    """The feed with nested entity definitions that expand to gigabytes if a parser resolves them."""
    entities = ['  <!ENTITY lol0 "lol">']
    entities += [
        f'  <!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, _LAUGH_LEVELS + 1)
    ]
    declaration, _, rest = rss.partition("\n")
    doctype = "<!DOCTYPE rss [\n" + "\n".join(entities) + "\n]>"
    rest = rest.replace("</title>", f" &lol{_LAUGH_LEVELS};</title>", 1)
    return "\n".join((declaration, doctype, rest)).encode()


def rate_limited(route: Route, count: int, refusal: Reply) -> Route:
    """``route`` behind a limiter: the first ``count`` requests get ``refusal`` (a 429), then it serves."""
    lock = threading.Lock()
    served = itertools.count()

    def limited(request: Request) -> Reply:
        with lock:
            seen = next(served)
        return refusal if seen < count else route(request)

    return limited


def delayed(route: Route, delay: float) -> Route:
    """``route`` answering after ``delay`` seconds; shutdown cuts the wait short."""

    def slow(request: Request) -> Reply:
        request.stopping.wait(delay)
        return route(request)

    return slow
