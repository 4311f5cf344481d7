"""Executors: launch, observe and kill job attempts (local subprocesses or a Ray cluster)."""
