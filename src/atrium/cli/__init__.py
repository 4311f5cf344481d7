"""The ``atrium`` command line: a thin Typer front end over :mod:`atrium.sdk`."""
