"""Experiment tracking in the SDK: ``client.runs`` / ``client.experiments`` (resource.py) and
the ``atrium.start_run`` logging API (fluent.py, exported by the ``atrium`` package)."""
