"""The daemon: APScheduler wired to library functions that also run from the CLI.

The scheduler process imports the core and the digest job body, never Scrapy or Twisted: every
crawl runs in a child process (``python -m scheduler.crawl_child``), because Twisted's reactor
cannot be restarted and a crawl that leaks or hangs must not take the daemon with it.
"""
