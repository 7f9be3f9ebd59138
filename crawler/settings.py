"""The one mapping from newsmon's typed config to Scrapy settings.

Nothing else in the crawler reads configuration: components get what they need from the settings
built here, plain Scrapy keys plus the ``Config`` object itself under ``CONFIG`` (``run_crawl``
adds the host resolver under ``RESOLVER`` and the state its spiders share under ``RUN``).
Scrapy's own sources of settings (project modules, environment variables) are not consulted:
``run_crawl`` hands this dict to ``CrawlerProcess`` directly.
"""

from __future__ import annotations

from typing import Any

from newsmon.config import Config

CONFIG = "NEWSMON_CONFIG"  # the typed Config, for components that need more than Scrapy keys
RESOLVER = "NEWSMON_RESOLVER"  # host name -> addresses, used by the SSRF guard
RUN = "NEWSMON_RUN"  # the CrawlRun its spiders share (crawler.crawlrun)

# Component order is data. Downloader middlewares see requests in ascending order and responses
# in descending order; pipelines see items in ascending order.
DOWNLOADER_MIDDLEWARES = {
    # before robots.txt (100), so not even robots.txt is fetched from a refused host
    "crawler.middlewares.ssrf.SsrfGuardMiddleware": 40,
    # answers before Scrapy's RetryMiddleware (550) sees a 429/503: waits, then retries itself
    "crawler.middlewares.retry_after.RetryAfterMiddleware": 560,
}
SPIDER_MIDDLEWARES = {
    # the first to see what a spider yields (output runs from high to low numbers), so known
    # article URLs are dropped before any other middleware or the scheduler spends work on them
    "crawler.middlewares.known.KnownUrlsMiddleware": 950,
}
ITEM_PIPELINES = {
    "crawler.pipelines.consent.ConsentWallGate": 150,
    "crawler.pipelines.extract.ExtractPipeline": 200,
    "crawler.pipelines.paywall.PaywallGate": 300,
    "crawler.pipelines.size.SizeGate": 305,
    "crawler.pipelines.topic.TopicGate": 310,
    "crawler.pipelines.store.StorePipeline": 800,
}
# 429 and 503 belong to RetryAfterMiddleware; these may pass on an immediate retry.
RETRY_HTTP_CODES = [500, 502, 504, 522, 524, 408]
CONCURRENT_ITEMS = 8  # items of one response processed at a time (feeds and sitemaps yield requests)


def to_scrapy_settings(config: Config) -> dict[str, Any]:
    """Scrapy settings for a crawl under ``config`` (a plain dict, for ``CrawlerProcess``)."""
    crawl = config.crawl
    return {
        CONFIG: config,
        "BOT_NAME": "newsmon",
        "USER_AGENT": crawl.resolved_user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "DOWNLOAD_TIMEOUT": crawl.download_timeout,
        # the limit holds for the body as received and after decompression (HttpCompression)
        "DOWNLOAD_MAXSIZE": crawl.max_bytes,
        "DOWNLOAD_WARNSIZE": crawl.max_bytes // 2,
        "REDIRECT_MAX_TIMES": crawl.max_redirects,
        "RETRY_TIMES": crawl.retries,
        "RETRY_HTTP_CODES": RETRY_HTTP_CODES,
        "CONCURRENT_REQUESTS": crawl.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_domain,
        # Scrapy starts this many tasks for every response, whatever it yields; an article page
        # yields one item, and the default 100 cost the reactor about 1 ms a page (8: 0.15 ms)
        "CONCURRENT_ITEMS": CONCURRENT_ITEMS,
        "DOWNLOAD_DELAY": crawl.delay,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": crawl.delay,
        "AUTOTHROTTLE_MAX_DELAY": max(crawl.delay, 30.0),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawl.concurrency_per_domain),
        "TWISTED_DNS_RESOLVER": "crawler.middlewares.ssrf.GuardedResolver",
        "DOWNLOADER_MIDDLEWARES": DOWNLOADER_MIDDLEWARES,
        "SPIDER_MIDDLEWARES": SPIDER_MIDDLEWARES,
        "ITEM_PIPELINES": ITEM_PIPELINES,
        "COOKIES_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": config.log_level,
        "LOG_INSTALL_ROOT_HANDLER": False,  # logging is set up by whoever runs the crawl
        # rejections are counted and written to the fetch log; one log line each is noise
        "DEFAULT_DROPITEM_LOG_LEVEL": "INFO",
        "RETRY_GIVE_UP_LOG_LEVEL": "INFO",
    }
