"""The web server's settings: `gunicorn -c python:tipline.config.gunicorn tipline.config.wsgi`.

- Threaded workers (gthread). A sync worker busy with one request sends gunicorn no heartbeat, so
  an upload that streams for longer than the timeout (hundreds of megabytes from a slow link) would
  be killed part-way. A gthread worker's main loop keeps the heartbeat going while requests run.
- One process per core. Requests here are CPU-bound, and PostgreSQL shares the cores: more
  processes than cores measured slower in `bench/ispws.py`, not faster.
- No keep-alive. A kept-alive connection stays with the process that accepted it, and whichever
  process wakes first accepts a burst of them: under load one process was seen holding 7 of 8
  clients while the other idled, at two thirds of the throughput. Closing after each response lets
  every request go to a free process. Clients keep their connections alive with the reverse proxy,
  which terminates TLS in front; its connections to gunicorn are local.
"""

from __future__ import annotations

import os

from tipline.common.env import env_int

worker_class = "gthread"
workers = env_int("TIPLINE_WEB_WORKERS", os.cpu_count() or 2, minimum=1)
threads = env_int("TIPLINE_WEB_THREADS", 2, minimum=1)
keepalive = 0
