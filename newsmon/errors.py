"""The small exception hierarchy of newsmon.

Library code raises these for conditions a user can fix (a wrong setting, an unreadable file);
the CLI turns them into one-line messages. Anything else escaping is a bug.
"""


class NewsmonError(Exception):
    """Base class: a problem the user can act on, reported without a traceback."""


class ConfigError(NewsmonError):
    """A setting is unknown, has a wrong value, or the config file cannot be read."""


class InputError(NewsmonError):
    """A document cannot be read or is not usable as an article (the message is the reason)."""


class StoreError(NewsmonError):
    """The database cannot be opened or migrated."""
