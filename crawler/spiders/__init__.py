"""One spider per discovery mechanism (feed, sitemap), never one per site."""
