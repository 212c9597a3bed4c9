"""What a monitoring system reads: ``/metrics`` (Prometheus text format) and ``/ready`` (readiness).

Both read the database (and the disk, the broker, the SFTP port) at request time instead of keeping
counters in memory: gunicorn runs several processes, and in-process counters would disagree with each
other and vanish at each restart. ``/health`` (anemone.views) stays the cheap liveness probe.
docs/metrics.md lists every metric and check.
"""
