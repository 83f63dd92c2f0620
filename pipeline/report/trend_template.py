"""The trend report's Jinja2 template: one self-contained page, charts inlined as PNG data."""

PAGE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Trends across {{ waves|length }} waves</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="wavecoder-trend-charts" content="{{ codes|length + topics|length }}">
<style>
body { font-family: Helvetica, Arial, sans-serif; color: #222; margin: 0 auto; max-width: 1180px;
       padding: 0 24px 48px; line-height: 1.45; }
h1 { margin-bottom: 4px; } h2 { border-bottom: 2px solid #3b6ea8; padding-bottom: 4px;
margin-top: 40px; } h3 { margin: 24px 0 4px; }
.meta, .note { color: #555; font-size: 14px; }
.warning { background: #fff4e5; border-left: 4px solid #d08c2f; padding: 8px 12px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; display: block;
        max-width: 100%; overflow-x: auto; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 10px; text-align: left;
         vertical-align: top; }
th { background: #f3f5f8; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.significant td { font-weight: bold; }
img.trend-chart { max-width: 100%; height: auto; display: block; }
nav a { margin-right: 14px; font-size: 14px; }
.ci { color: #777; font-size: 11px; }
</style>
</head>
<body>
<h1>Trends across {{ waves|length }} waves</h1>
<p class="meta">{% for wave in waves %}<b>{{ wave.id }}</b> (codebook {{ wave.codebook }},
{{ wave.respondents }} respondents){% if not loop.last %} → {% endif %}{% endfor %}</p>
{% for change in changes %}<p class="warning">The codebook changed before {{ change.wave }}
({{ change.change }}): part of any change there may come from the codes, not the respondents.
The charts mark it with a dashed line.</p>{% endfor %}
{% for gap in gaps %}<p class="note">{{ gap }}</p>{% endfor %}
<nav><a href="#codes">Codes</a><a href="#topics">Topics</a>
{% if compare %}<a href="#compare">Change since {{ compare.wave }}</a>{% endif %}</nav>

<h2 id="codes">Codes across waves</h2>
<p class="note">Share of respondents who answered the question and raised the code (child codes
count for their parents), per wave, as each wave's <code>theme_summary</code> gives it; the band
and the bracketed range are the 95% Wilson score interval. A missing point: the question was
not asked, or the code was not in the codebook, that wave. Full table:
<code>theme_trends.csv</code>.</p>{% if codes_note %}
<p class="note">{{ codes_note }}</p>{% endif %}
{% for code in codes %}
<h3 id="code-{{ code.id }}">{{ code.label }} <span class="note">({{ code.id }})</span></h3>
<img class="trend-chart" data-code="{{ code.id }}" alt="{{ code.label }}: share per wave"
 src="data:image/png;base64,{{ code.png }}">
<table class="trend-table" data-code="{{ code.id }}"><tr><th>question</th>
{% for wave in waves %}<th class="num">{{ wave.id }}</th>{% endfor %}</tr>
{% for row in code.rows %}<tr><td>{{ row.question }}</td>
{% for cell in row.cells %}<td class="num"{% if cell %} data-value="{{ cell.share }}"{% endif %}>
{% if cell %}{{ cell.share|pct }} <span class="ci">[{{ cell.low|pct }}–{{ cell.high|pct }},
{{ cell.mentions }}/{{ cell.respondents }}]</span>{% else %}–{% endif %}</td>{% endfor %}</tr>
{% endfor %}</table>{% if code.more %}
<p class="note">The {{ code.rows|length }} questions with the most respondents across the waves;
{{ "{:,}".format(code.more) }} more in <code>theme_trends.csv</code>.</p>{% endif %}
{% endfor %}

<h2 id="topics">Topics across waves</h2>
<p class="note">Share of each wave's topic-modelled segments in the topic, with its 95% Wilson
interval; topic ids are a kept project topic model's, so a topic keeps its id from wave to wave.
A missing point: the topic had no segment that wave. Full table: <code>topic_trends.csv</code>.
</p>
{% if topics_note %}<p class="note">{{ topics_note }}</p>{% endif %}{% if topics_cut %}
<p class="note">{{ topics_cut }}</p>{% endif %}
{% for topic in topics %}
<h3 id="topic-{{ topic.id }}">Topic {{ topic.id }}: {{ topic.words }}{% if topic.new_in %}
<span class="note">(new in {{ topic.new_in }})</span>{% endif %}</h3>
<img class="trend-chart" data-topic="{{ topic.id }}" alt="topic {{ topic.id }}: share per wave"
 src="data:image/png;base64,{{ topic.png }}">
{% endfor %}

{% if compare %}
<h2 id="compare">Change since {{ compare.wave }}</h2>
{% if compare.codebook_note %}<p class="warning">The codebooks differ ({{ compare.codebook_note
}}): part of any change may come from the codes, not the respondents.</p>{% endif %}
<p class="note">{{ compare.current }} against {{ compare.wave }}: share this wave minus share
then, in percentage points, with 95% intervals and Benjamini–Hochberg adjusted q over all
{{ compare.tests }} comparisons (bold: q &lt; 0.05). The full two-wave report:
<a href="{{ compare.link }}">{{ compare.link }}</a>; full table: <code>compare.csv</code>.</p>{%
if compare.page_note %}
<p class="note">{{ compare.page_note }}</p>{% endif %}
{{ compare.table|safe }}
{% endif %}
</body>
</html>
"""
