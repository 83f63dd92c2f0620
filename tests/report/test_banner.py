"""The report's sign-off banner, on the mini wave's real outputs: draft, then final."""

from __future__ import annotations

import shutil

from pipeline.outputs import DATABASE_NAME
from pipeline.report import build_report
from pipeline.review.signoff import sign_off


def banner(page: str) -> str:
    start = page.index('<p id="sign-off"')
    return page[start:page.index("</p>", start) + 4]


def test_report_says_draft_until_signed_off_then_final(mini_outputs, mini_outputs_template):
    shutil.copy(mini_outputs_template.parent / DATABASE_NAME, mini_outputs.parent)
    draft = banner(build_report(mini_outputs).read_text(encoding="utf-8"))
    assert 'class="sign-off draft"' in draft and "Draft — not signed off" in draft
    sign_off(mini_outputs, "Ann <Lee>", "approve", signed_at="2024-05-02T09:30:00+00:00")
    final = banner(build_report(mini_outputs).read_text(encoding="utf-8"))
    assert 'class="sign-off final"' in final
    # the name is text on the page, never markup
    assert "Final — signed off by Ann &lt;Lee&gt; on 2024-05-02." in final
    sign_off(mini_outputs, "Ann Lee", "reject", "recheck housing")
    rejected = banner(build_report(mini_outputs).read_text(encoding="utf-8"))
    assert 'class="sign-off rejected"' in rejected and "rejected by Ann Lee" in rejected
    assert "Note: recheck housing" in rejected
