"""The wave report: themes, needs and gaps, change, attributes, new topics and quotes.

``build_report(outputs_dir, compare_dir=None)`` reads a wave's outputs and writes
``report.html`` (self-contained, opens offline) and the same tables as CSV under ``report/``.
Tables are pure functions (:mod:`.tables`, :mod:`.compare`), figures are plotly
(:mod:`.charts`), and the page is a Jinja2 template (:mod:`.html`, :mod:`.template`).
"""

from pipeline.report.build import REPORT_DIR, REPORT_HTML, build_report, report_tables

__all__ = ["REPORT_DIR", "REPORT_HTML", "build_report", "report_tables"]
