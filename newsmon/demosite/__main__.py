"""``python -m newsmon.demosite``: serve the fixture site until Ctrl-C and print where it is."""

from __future__ import annotations

import argparse
import threading

from newsmon.demosite.content import load_outlets
from newsmon.demosite.server import FixtureSite


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m newsmon.demosite", description=__doc__)
    parser.add_argument("--scale", type=int, default=0, help="synthetic articles to add (default: none)")
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="first port; the outlets take consecutive ones (default: any free)",
    )
    parser.add_argument("--slow-delay", type=float, default=15.0, help="seconds before the slow page answers")
    parser.add_argument(
        "--rate-limit-count", type=int, default=2, help="requests refused with 429 before the page is served"
    )
    args = parser.parse_args(argv)
    ports = None
    if args.port:
        ports = {outlet.name: args.port + offset for offset, outlet in enumerate(load_outlets())}
    try:
        with FixtureSite.start(
            args.scale, ports=ports, slow_delay=args.slow_delay, rate_limit_count=args.rate_limit_count
        ) as site:
            _print_addresses(site)
            threading.Event().wait()
    except KeyboardInterrupt:
        print("stopped")


def _print_addresses(site: FixtureSite) -> None:
    for outlet in site.outlets.values():
        print(f"{outlet.title:<18} {outlet.base_url}/")
        for url in (*site.feeds.get(outlet.name, ()), *site.sitemaps.get(outlet.name, ())[:1]):
            print(f"{'':<18} {url}")
    print(f"{len(site.manifest)} URLs in the manifest. Ctrl-C stops.", flush=True)


if __name__ == "__main__":
    main()
