"""The crawler: Scrapy spiders, middlewares and pipelines that discover, fetch and store articles.

Data flows one way: a spider per discovery mechanism (``spiders/``) turns feeds and sitemaps into
article requests; downloader middlewares keep them polite and safe (``middlewares/``); item
pipelines extract, gate and store what came back (``pipelines/``), through the core's one ingest
path. ``run.run_crawl`` runs a crawl and keeps each source's state (``crawlrun``: validators for
conditional GET, last outcome); ``settings.to_scrapy_settings`` is the only place where the typed
config becomes Scrapy settings. The crawler imports the core (``newsmon``), never the CLI.
"""
