"""What can go wrong making or mailing a digest, as NewsmonErrors the CLI prints in one line."""

from newsmon.errors import NewsmonError


class DigestError(NewsmonError):
    """A digest cannot be made as asked: unknown topic, wrong week, no recipients, unknown id."""


class DeliveryError(DigestError):
    """Mail could not be handed to the SMTP server; the delivery stays pending (or fails for good).

    ``transient`` says whether a later attempt may succeed (server down, 4xx) or the message was
    refused for good (5xx for this recipient). ``server_level`` errors (cannot connect, TLS, login)
    concern every message of a run, so the run stops trying after the first.
    """

    def __init__(self, message: str, *, transient: bool = True, server_level: bool = False) -> None:
        super().__init__(message)
        self.transient = transient
        self.server_level = server_level
