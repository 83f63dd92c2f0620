"""Views of the shared DuckDB database that read across waves; created with its tables.

``theme_trends``: per wave, question and code, the theme summary's counts (``mentions``), bases
(``respondents``) and shares, the codebook the wave was coded with (from ``runs``), and a 95%
Wilson score interval, the same numbers as ``wavecoder report --waves``
(:func:`pipeline.report.trends.wilson_interval`). A view, not a table: it is the published
``theme_summary`` as it stands, so re-running or re-reviewing a wave changes it at once.
"""

from __future__ import annotations

import duckdb

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal

# Wilson: (p + z²/2n ± z √(p(1-p)/n + z²/4n²)) / (1 + z²/n); nothing is known when n = 0.
_WILSON = """
    case when t.respondents > 0 then {bound}(0.0, (
        t.mentions / t.respondents + {z2} / (2 * t.respondents)
        {sign} {z} * sqrt((t.mentions / t.respondents) * (1 - t.mentions / t.respondents)
                           / t.respondents + {z2} / (4 * t.respondents * t.respondents))
    ) / (1 + {z2} / t.respondents)) else {empty} end"""

THEME_TRENDS_SQL = f"""
create or replace view theme_trends as
select t.wave,
       json_extract_string(r.run, '$.codebook.id') as codebook_id,
       json_extract_string(r.run, '$.codebook.version') as codebook_version,
       t.question_id, t.question, t.code_id, t.label, t.parent,
       t.respondents, t.mentions, t.negated_mentions, t.share,
       {_WILSON.format(bound="greatest", sign="-", z=Z_95, z2=Z_95 * Z_95, empty="0.0")}
           as ci_low,
       least(1.0, {_WILSON.format(bound="greatest", sign="+", z=Z_95, z2=Z_95 * Z_95,
                                  empty="1.0")}) as ci_high,
       t.rank
from theme_summary t left join runs r using (wave)
"""

VIEWS = {"theme_trends": (("theme_summary", "runs"), THEME_TRENDS_SQL)}


def create_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create (or replace) every view whose tables exist; returns the views created.

    Idempotent: safe on every store, inside the store's transaction.
    """
    tables = {row[0] for row in con.execute(
        "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
    ).fetchall()}
    made = []
    for name, (needs, sql) in VIEWS.items():
        if set(needs) <= tables:
            con.execute(sql)
            made.append(name)
    return made
