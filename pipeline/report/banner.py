"""The report's sign-off banner: final (who signed off, when) or a draft not yet signed off.

Read from the run record the report is built from: publish keeps a sign-off in ``run.json``
only while it holds for the codings on disk (same run, same codings digest), so the banner
says exactly what the ``published_*`` views of the database say.
"""

from __future__ import annotations

from pipeline.outputs import RunRecord


def sign_off_banner(run: RunRecord | None) -> dict[str, str]:
    """``status`` (final, rejected, draft) and the banner's ``text`` for a wave's run record."""
    signed = run.sign_off if run is not None else None
    if signed is None:
        return {"status": "draft", "text": "Draft — not signed off: these codes are not final "
                "(wavecoder sign-off publishes them)."}
    when = signed.signed_at[:10]
    note = f" Note: {signed.note}" if signed.note else ""
    if signed.decision == "approve":
        return {"status": "final", "text": f"Final — signed off by {signed.reviewer} on "
                f"{when}.{note}"}
    return {"status": "rejected", "text": f"Draft — sign-off rejected by {signed.reviewer} on "
            f"{when}: these codes are not final.{note}"}
