"""newsmon: German-first news monitoring.

The core package holds what every part shares: configuration, the store and its migrations,
text normalisation, extraction of clean articles, deduplication and story clustering.
It imports none of its users (crawler, reports, scheduler).
"""

__version__ = "0.1.0"
