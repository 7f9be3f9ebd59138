# newsmon as a daemon: `newsmon run` in the foreground, data (SQLite store, digests) in /data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    NEWSMON_HOME=/data \
    NEWSMON_DAEMON__HEALTH_PORT=8181 \
    VIRTUAL_ENV=/opt/newsmon \
    PATH=/opt/newsmon/bin:$PATH

RUN useradd --system --create-home --home-dir /home/newsmon --uid 10001 newsmon \
    && mkdir /data && chown newsmon:newsmon /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY newsmon ./newsmon
COPY crawler ./crawler
COPY reports ./reports
COPY scheduler ./scheduler
COPY seeds ./seeds

# the same install as the README's, into a virtual environment owned by root
RUN python3.11 -m venv /opt/newsmon && /opt/newsmon/bin/pip install -q --no-cache-dir .
RUN newsmon --version

USER newsmon
VOLUME ["/data"]

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['NEWSMON_DAEMON__HEALTH_PORT'], timeout=4)"]

ENTRYPOINT ["newsmon"]
CMD ["run", "--log-format", "json"]
