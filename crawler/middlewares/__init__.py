"""Downloader and spider middlewares: one job each, switched off with ``NotConfigured``."""
