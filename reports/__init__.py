"""Reports: the weekly digest, a press review by story for each topic.

Reads the store only (never the crawler): ``selection`` picks and ranks a topic's stories of an
ISO week, ``context`` turns them into typed template contexts, ``render`` fills the Jinja2
templates in ``templates/`` (HTML with inlined CSS, plain text), ``chart`` draws the daily
volume, ``message`` builds the mail, ``smtp`` hands it over, ``delivery`` makes sure each
recipient gets it exactly once, ``archive`` keeps every rendered digest, ``job`` ties it
together for the CLI and the daemon.

The API the CLI and the scheduler use:

- ``run_digest_job(config, now)``: the daemon's job body;
- ``render_week``, ``queue``, ``deliver_due``: the steps of `newsmon digest`;
- ``list_digests``, ``digest_detail``, ``export_files``: the archive.
"""

from reports.archive import digest_detail, export_files, list_digests
from reports.delivery import DeliveryOutcome, deliver_due
from reports.job import DigestRun, JobReport, queue, render_week, run_digest_job
from reports.settings import DigestSettings, digest_settings
from reports.weeks import IsoWeek

__all__ = [
    "DeliveryOutcome",
    "DigestRun",
    "DigestSettings",
    "IsoWeek",
    "JobReport",
    "deliver_due",
    "digest_detail",
    "digest_settings",
    "export_files",
    "list_digests",
    "queue",
    "render_week",
    "run_digest_job",
]
