"""The report's Jinja2 template: one self-contained page (styles, plotly.js and data inline)."""

PAGE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="wavecoder-charts" content="{{ charts|length }}">
<title>{{ title }}: wave report</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; color: #222; margin: 0 auto; max-width: 1180px;
       padding: 0 24px 48px; line-height: 1.45; overflow-wrap: break-word; }
h1 { margin-bottom: 4px; } h2 { border-bottom: 2px solid #3b6ea8; padding-bottom: 4px;
margin-top: 40px; } h3 { margin-bottom: 6px; }
.meta { color: #555; font-size: 14px; } .note { color: #555; font-size: 14px; }
.warning { background: #fff4e5; border-left: 4px solid #d08c2f; padding: 8px 12px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; max-width: 100%; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 10px; text-align: left;
         vertical-align: top; overflow-wrap: anywhere; }
th { overflow-wrap: normal; }  /* headers break between words, never inside one */
.table-wrap { max-width: 100%; overflow-x: auto; }
img, svg, .plotly-graph-div { max-width: 100%; }
code { overflow-wrap: anywhere; }
/* a phone: narrower margins and cells, so tables fit without scrolling sideways */
@media (max-width: 640px) {
  body { padding: 0 10px 32px; } h1 { font-size: 24px; }
  table { font-size: 11px; } th, td { padding: 2px 4px; }
  nav a { display: inline-block; margin: 0 10px 4px 0; }
}
th { background: #f3f5f8; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.significant td { font-weight: bold; }
blockquote { margin: 6px 0 10px; padding: 6px 12px; background: #f7f7f7;
             border-left: 3px solid #3b6ea8; } mark { background: #fde9a9; }
.quote-meta { color: #666; font-size: 12px; } nav a { margin-right: 14px; font-size: 14px; }
.sign-off { padding: 6px 12px; font-weight: bold; border-left: 4px solid #d08c2f;
            background: #fff4e5; overflow-wrap: anywhere; }
.sign-off.final { border-color: #2e7d32; background: #eaf5ea; }
</style>
<script type="text/javascript">{{ plotlyjs|safe }}</script>
</head>
<body>
<h1>{{ title }}</h1>
<p id="sign-off" class="sign-off {{ sign_off.status }}">{{ sign_off.text }}</p>
<p class="meta">Wave <b>{{ wave }}</b> · codebook {{ codebook }} · {{ counts }}</p>
{% for note in notes %}<p class="note">{{ note }}</p>{% endfor %}
<nav>{% for anchor, name in sections %}<a href="#{{ anchor }}">{{ name }}</a>{% endfor %}</nav>

<h2 id="themes">Themes by question</h2>
<p class="note">Share of respondents who answered the question and raised the theme (child
codes count for their parents). Full table: <code>report/themes.csv</code>.</p>
{{ charts.themes|safe }}
{% for question in questions %}
<h3>{{ question.id }}: {{ question.text }} (n={{ question.respondents }})</h3>
<div class="table-wrap"><table id="themes-{{ question.id }}" class="themes">
<tr><th class="num">rank</th><th>theme</th><th class="num">respondents raising it</th>
<th class="num">share</th></tr>
{% for row in question.rows %}<tr data-code="{{ row.code_id }}">
<td class="num">{{ row.rank }}</td><td>{{ row.label }}</td><td class="num">{{ row.mentions }}</td>
<td class="num share" data-value="{{ row.share }}">{{ row.share|pct }}</td></tr>
{% endfor %}</table></div>
{% endfor %}

<h2 id="stance">Needs and gaps</h2>
<p class="note">Respondents (any question) whose coded passages say the support is needed,
missing or hard to get (gap), or available. Read by rules from the passage's words; a respondent
may say more than one. Full table: <code>report/stance_by_theme.csv</code>.</p>
{{ charts.stance|safe }}
{{ stance_table|safe }}

<h2 id="direction">Improved or worsened</h2>
<p class="note">Respondents saying the theme improved, worsened or stayed the same; net =
improved − worsened, balance = net ÷ (improved + worsened). Full table:
<code>report/direction_by_theme.csv</code>.</p>
{{ charts.direction|safe }}
{{ direction_table|safe }}

<h2 id="attributes">By respondent attributes</h2>
<p class="note">Share of respondents with each attribute value raising each theme in any answer.
Survey respondents and interviewees are shown apart: a whole interview raises far more themes
than a short survey answer, so their shares are not comparable. Full table:
<code>report/crosstabs.csv</code>.</p>
{% for key in crosstab_keys %}{{ charts[key]|safe }}{% endfor %}
{% if not crosstab_keys %}<p>No attribute with between 2 and 15 values.</p>{% endif %}

<h2 id="cooccurrence">Themes raised together</h2>
<p class="note">Respondent-level: the number of respondents who raise both themes anywhere in
the wave (any question, any segment). Each label gives the respondents raising that theme; the
diagonal is left blank here and holds those counts in <code>report/cooccurrence.csv</code>.</p>
{{ charts.cooccurrence|safe }}

{% if compare %}
<h2 id="compare">Change since {{ compare.wave }}</h2>
{% if compare.codebook_note %}<p class="warning">The codebooks differ ({{ compare.codebook_note }}):
part of any change may come from the codes, not the respondents.</p>{% endif %}
<p class="note">Share this wave minus share in {{ compare.wave }}, in percentage points, with 95%
confidence intervals; two-proportion z-test (Fisher's exact test where counts are small), and
Benjamini–Hochberg adjusted q over all {{ compare.tests }} comparisons. Filled markers and bold
rows: q &lt; 0.05. Full table: <code>report/compare.csv</code>.</p>
{{ charts.compare|safe }}
{{ compare.table|safe }}
{% endif %}

<h2 id="topics">Topics the codebook does not cover</h2>
{% if topics_note %}<p class="note">{{ topics_note }}</p>
{% else %}{{ topics_table|safe }}{% endif %}

<h2 id="quotes">Quotes</h2>
<p class="note">Three per theme: passages a reviewer accepted first, then the most confident
codings; the words that carry the code are marked. Full table:
<code>report/exemplars.csv</code>.</p>
{% for theme in quotes %}<h3>{{ theme.label }}</h3>
{% for quote in theme.quotes %}<blockquote>
{{- quote.before }}<mark>{{ quote.evidence }}</mark>{{ quote.after -}}
<div class="quote-meta">{{ quote.meta }}</div></blockquote>{% endfor %}
{% endfor %}

{% if review %}
<h2 id="review">Review</h2>
<p class="note">Codings by reviewers' decisions (rejected codings are left out of every count
above; codings reviewers added are in them), and the machine's agreement with its reviewers
(the lowest over reviewers; kappa is blank where every decision was the same). Bold rows agree
less than the threshold. Full tables: <code>report/review.csv</code>,
<code>review/agreement.csv</code>.</p>
{% if review.to_revise %}<p class="warning">Codes to revise in the codebook: {{
review.to_revise|join(", ") }}.</p>{% endif %}
{{ review.table|safe }}
{% endif %}
{% if sample %}
<h3 id="sample">The machine on passages drawn at random</h3>
<p>On {{ sample.passages }} passages drawn at random and read whole by reviewers (coded or
not), {{ sample.precision }} of the machine's codes were kept (precision) and it found
{{ sample.recall }} of the reviewers' (recall): F1 {{ sample.f1 }}, kappa
{{ sample.kappa }}, all codes pooled. Per code: <code>review/sample_agreement.csv</code>.</p>
{% endif %}
</body>
</html>
"""
