"""A local fixture news site for crawler tests, the crawl benchmark and ``newsmon demo``.

``FixtureSite.start()`` serves German news outlets (each on its own 127.0.0.1 port, with its own
layout), their feeds and sitemaps, and a set of hostile pages, and publishes a manifest of what a
correct crawler should make of every advertised URL::

    with FixtureSite.start(slow_delay=2) as site:
        crawl(site.feeds["tagesblick"])
        assert site.manifest["tb-h200-lizenzen"].expected == "stored"

``python -m newsmon.demosite`` serves it until Ctrl-C.
"""

from newsmon.demosite.manifest import REASONS, Manifest, ManifestEntry
from newsmon.demosite.server import FixtureSite, HostedOutlet, RequestRecord

__all__ = ["REASONS", "FixtureSite", "HostedOutlet", "Manifest", "ManifestEntry", "RequestRecord"]
