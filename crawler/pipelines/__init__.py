"""Item pipelines, one job each, in the order given by ``crawler.settings.ITEM_PIPELINES``.

Each handles ``FetchedPage`` items and passes any other item on untouched. A gate that rejects a
page raises ``crawler.reasons.Reject`` (a ``DropItem``): later pipelines never see the page, and
the store pipeline records the reason from Scrapy's ``item_dropped`` signal.
"""
