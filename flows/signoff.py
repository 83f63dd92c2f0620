"""The sign-off step of ``code_wave``: wait for a named person's decision on the draft outputs.

After publish has written the wave (a draft), the flow run waits for a typed input,
:class:`SignOff`, which the Prefect UI shows as a form on the paused run (reviewer, approve or
reject, a note). A run started in-process (the command line, a test, ``serve``) is *paused*:
it keeps its process and polls for the answer. A run of a deployment is *suspended* when
``sign_off="suspend"``: its process exits and the worker starts it again once resumed; the
stages run again (with the same flow run id, so the same run id) and the answer is read back
at the sign-off step. The decision itself is recorded by :mod:`pipeline.review.signoff`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.flow_runs import pause_flow_run, suspend_flow_run
from prefect.input import RunInput
from prefect.runtime import deployment, flow_run
from pydantic import Field

from pipeline.outputs import RunRecord, SignOffRecord, database_of
from pipeline.parameters import WaveRun
from pipeline.review.signoff import (
    REVIEWER_MAX,
    published_views,
    sign_off,
    sign_off_markdown,
)

POLL_SECONDS = 2  # how often a paused run asks the API whether it was resumed


class SignOff(RunInput):
    """The sign-off form: who decides, approve or reject, and why."""

    reviewer: str = Field(pattern=r"\S", max_length=REVIEWER_MAX,
                          description="Your name, as it will appear on the report.")
    decision: Literal["approve", "reject"] = Field(
        description="approve: the codes are final and published; reject: they stay a draft.")
    note: str = Field("", description="Why, or what to change (optional).")


def current_run_id() -> str:
    """The flow run's id (the run id the outputs are bound to), or "" outside a flow run."""
    return str(flow_run.id or "")


def sign_off_key(record: RunRecord) -> str:
    """The pause key: one sign-off per flow run and per set of codings.

    A suspended run resumed by its worker codes the wave again before it reaches this step; with
    the same codings it reads the answer already given, with other codings (an input file
    changed meanwhile) it asks again, so an answer never covers codings nobody saw.
    """
    return f"sign-off-{record.codings_sha256[:16]}"


def wait_for_sign_off(mode: str, timeout: int, record: RunRecord) -> SignOff:
    """Pause (or, for a deployment's run asked to, suspend) until the form is submitted.

    Raises prefect's FlowPauseTimeout when nobody answers within ``timeout`` seconds: the
    outputs stay as written, a draft, and can still be signed off from the command line.
    """
    form = SignOff.with_initial_data(
        description=(f"Sign off wave **{record.wave}** ({record.output_dir}/): approve "
                     "publishes its codes; reject keeps them a draft."),
        decision="approve")
    logger, key = get_run_logger(), sign_off_key(record)
    if mode == "suspend" and deployment.id:
        logger.info("waiting for sign-off of %s (suspended; resume from the UI)", record.wave)
        return suspend_flow_run(wait_for_input=form, timeout=timeout, key=key)
    if mode == "suspend":
        logger.info("not a deployment's run, so it cannot be suspended: pausing instead")
    logger.info("waiting for sign-off of %s (paused; resume from the UI)", record.wave)
    return pause_flow_run(wait_for_input=form, timeout=timeout, key=key,
                          poll_interval=POLL_SECONDS)


def ask_and_record(mode: str, timeout: int, record: RunRecord) -> SignOffRecord:
    """Wait for the sign-off form and record the decision on this run's outputs."""
    answer = wait_for_sign_off(mode, timeout, record)
    return sign_off(Path(record.output_dir), answer.reviewer, answer.decision, answer.note,
                    run_id=current_run_id() or None)


def sign_off_step(run: WaveRun, published: RunRecord, summary: str, artifact_key: str
                  ) -> tuple[RunRecord, str]:
    """Make the published views, wait for the sign-off when the run asks, add it to the summary.

    While the run waits, its artifact shows the draft's summary, so the reviewer reads what
    they sign. Returns the run record (with ``sign_off`` when given) and the whole summary.
    """
    folder = Path(published.output_dir)
    published_views(database_of(folder))
    record = published
    if run.sign_off != "none":
        create_markdown_artifact(summary + "\n" + sign_off_markdown(record, waiting=True),
                                 key=artifact_key,
                                 description=f"wavecoder run of {record.wave}, waiting for "
                                 "sign-off")
        signed = ask_and_record(run.sign_off, run.sign_off_timeout, record)
        record = record.model_copy(update={"sign_off": signed})
        print(f"sign-off: {signed.decision} by {signed.reviewer}")
    return record, summary + "\n" + sign_off_markdown(record)
