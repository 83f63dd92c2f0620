"""Prefect flows and the ``wavecoder`` command line: orchestration only.

Every stage they run lives in :mod:`pipeline`. Importing this package changes nothing; entry
points call :func:`flows.setup.offline_environment` before Prefect is imported.
"""
