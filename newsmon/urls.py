"""Canonical URLs: the first deduplication layer.

The same article reaches us under many addresses: with tracking parameters from feeds and
newsletters, as the AMP or mobile edition, with or without ``www.``, a trailing slash or a fragment.
``canonical_url`` folds these into one key. courlan does the generic part (case, default ports,
percent-encoding, path dots, its list of tracker parameters, query order); we add what news sites
need on top: publisher tracking parameters courlan keeps, AMP and mobile variants, ``http``/``https``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

# Query parameters that only say where a click came from. Matched on the lower-cased name.
_TRACKING_PARAM = re.compile(
    r"^(?:utm_|wt_|at_|ns_|pk_|mtm_|hsa_|oly_|_hs|ga_|__twitter)"
    r"|^(?:fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|mc_cid|mc_eid|_ga|_gl|wtmc|cmp|cmpid|"
    r"ito|icid|xtor|ref|ref_src|referrer|share|shared|sharing|smid|sr_share|ocid|partner|"
    r"outputtype|amp|amp_js_v|usqp|newsletter|nl|rss|feed|from|source)$"
)
# Leading host labels that mark a mobile or AMP edition of the same site.
_EDITION_LABELS = ("www", "m", "mobile", "amp", "mobil")
_AMP_PATH = re.compile(r"(?:/amp(?=/|$)|\.amp(?=\.html?$|$))", re.IGNORECASE)
_WEB_SCHEMES = ("http", "https")


def _host_without_edition(host: str) -> str:
    labels = host.split(".")
    while len(labels) > 2 and labels[0] in _EDITION_LABELS:
        labels = labels[1:]
    return ".".join(labels)


def _clean_query(query: str) -> str:
    kept = [
        (k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _TRACKING_PARAM.match(k.lower())
    ]
    return urlencode(sorted(kept))


def canonical_url(url: str) -> str:
    """Return the comparison key of ``url``; never raises, idempotent.

    Web URLs become ``https://host/path?sorted-query`` without edition prefixes, AMP markers,
    tracking parameters, fragment and trailing slash. Other schemes (``file:``) are only
    normalised by courlan. Strings that are not URLs come back stripped.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        if not parts.scheme or not parts.netloc and parts.scheme.lower() in _WEB_SCHEMES:
            return url
        normalized = normalize_url(url, strict=False, trailing_slash=False)
        parts = urlsplit(normalized)
        if parts.scheme not in _WEB_SCHEMES:
            return normalized
        host = _host_without_edition(parts.netloc)
        path = _AMP_PATH.sub("", parts.path).rstrip("/")
        return urlunsplit(("https", host, path, _clean_query(parts.query), ""))
    except ValueError:
        # courlan and urllib reject some malformed input (bad ports, brackets); keep it as given
        return url
