"""The ``[schedule]`` and ``[daemon]`` sections the daemon reads (defined in ``newsmon.config``)."""

from __future__ import annotations

from newsmon.config import Config, DaemonSettings, ScheduleSettings, parse_duration

__all__ = ["DaemonSettings", "ScheduleSettings", "daemon_settings", "parse_duration", "schedule_settings"]


def schedule_settings(config: Config) -> ScheduleSettings:
    """The config's ``[schedule]`` section."""
    return config.schedule


def daemon_settings(config: Config) -> DaemonSettings:
    """The config's ``[daemon]`` section."""
    return config.daemon
