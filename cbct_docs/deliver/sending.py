"""A send run: what happens to each message (one rule for the dry run and the real run),
and the batch that sends them.

:func:`decide` is the rule. Per message and its ledger row it says *send*, *skip* (sent
already, or being sent by another run that is alive) or *attention* (a person must look:
unconfirmed, refused for good, claimed by a run that cannot be checked, or changed since it
was sent), with the reason and what to do. The dry run (:func:`preview`) applies it to the
ledger as it is; the real run (:func:`send_batch`) applies it inside the transaction that
claims the message, so two runs never both send one message.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import DeliveryError
from ..settings import SmtpSettings
from .outbox import STALE_AFTER, Entry, Outbox, claim_holder, read_only
from .outgoing import Outgoing
from .route import ConnectionLost, Refused, Route

SEND, SKIP, ATTENTION = "send", "skip", "attention"

#: How the ledger keeps a message's content: ``content:`` and its fingerprint. Rows written
#: before carry the sha256 of the file's bytes instead.
CONTENT_PREFIX = "content:"


@dataclass(frozen=True)
class SendOptions:
    limit: int | None = None  # send at most this many messages
    resend_uncertain: bool = False  # also unconfirmed ones, and claims nobody can check
    retry_failed: bool = False  # also those refused for good before


@dataclass(frozen=True)
class Decision:
    """What a run does with one message, and why."""

    message: Outgoing
    action: str  # send | skip | attention
    state: str  # the case: new, deferred, retry, takeover, sent, busy, unconfirmed, failed,
    #             stale, readdressed, changed
    reason: str = ""  # for skip and attention: why, and what to do
    entry: Entry | None = None  # the ledger row as it was

    @property
    def needs_attention(self) -> bool:
        return self.action == ATTENTION


def decide(message: Outgoing, entry: Entry | None, options: SendOptions) -> Decision:
    """The rule (see :mod:`.outbox` for the states): may this run send this message now?"""
    if entry is None:
        return Decision(message, SEND, "new")
    status = entry.status
    if status in ("sending", "unconfirmed"):
        holder = claim_holder(entry)
        if holder == "running":  # another run is at it right now: never, not even when asked
            return Decision(message, SKIP, "busy", "being sent by another run", entry)
        if holder == "unknown":
            if options.resend_uncertain:  # a person checked that run is gone
                return Decision(message, SEND, "takeover", entry=entry)
            return Decision(message, ATTENTION, "stale", _stale_reason(entry), entry)
        if status == "sending":  # its run is gone before the end of the message: not sent
            return Decision(message, SEND, "deferred", entry=entry)
        if options.resend_uncertain:
            return Decision(message, SEND, "retry", entry=entry)
        return Decision(message, ATTENTION, "unconfirmed",
                        "unconfirmed: may have arrived; not re-sent (check, then --mark-sent "
                        "or --resend-uncertain)", entry)
    if status == "sent":
        when = f"{_time(entry.sent_at or entry.updated_at)} UTC, {entry.file}"
        if entry.recipient != ", ".join(message.recipients):
            return Decision(message, ATTENTION, "readdressed",
                            "this Message-ID was sent before, to other recipients; the file "
                            "was edited by hand: make the e-mail anew (a new Message-ID) to "
                            "send it", entry)
        if not _same_content(entry, message):
            return Decision(message, ATTENTION, "changed",
                            f"this Message-ID was sent before ({when}) with other content; "
                            "the file was changed since: make the e-mail anew (a new "
                            "Message-ID) to send the corrected version, or take the file out "
                            "of the folder", entry)
        return Decision(message, SKIP, "sent", f"already sent ({when})", entry)
    if status == "failed":
        if options.retry_failed:
            return Decision(message, SEND, "retry", entry=entry)
        return Decision(message, ATTENTION, "failed",
                        "failed before (--retry-failed to try again)", entry)
    return Decision(message, SEND, "deferred", entry=entry)


def stored_content(message: Outgoing) -> str:
    """What the ledger keeps of a message's content."""
    return CONTENT_PREFIX + message.fingerprint


def _same_content(entry: Entry, message: Outgoing) -> bool:
    stored = entry.content_sha256
    if stored.startswith(CONTENT_PREFIX):
        return stored == stored_content(message)
    # A row of an older version holds the file's sha256: a message made again (another
    # date, other MIME boundaries) differs there without being changed, so only an equal
    # file can be told; anything else counts as the same, as it did then.
    return True


def _time(stamp: str) -> str:
    return stamp.replace("T", " ")[:16]


def _stale_reason(entry: Entry) -> str:
    minutes = int(STALE_AFTER.total_seconds() // 60)
    return (f"claimed by a run that cannot be checked from here ({entry.status} by "
            f"{display_owner(entry.owner)} since {_time(entry.updated_at)} UTC: another "
            f"machine, a restart, or over {minutes} minutes ago); if that run is gone, "
            "--resend-uncertain takes over")


def display_owner(owner: str) -> str:
    """``host:pid`` of a claim (the rest of it is for checking, not for reading)."""
    return owner.split(";", 1)[0] or "an unknown run"


def preview(messages: Sequence[Outgoing], ledger: Path, options: SendOptions
            ) -> list[Decision]:
    """The dry run: the decision for each message, from the ledger opened read-only (no
    file, no table, no journal switch). Stops where ``options.limit`` would stop a run."""
    reader = read_only(ledger)
    decisions: list[Decision] = []
    try:
        for message in messages:
            if options.limit is not None and _sends(decisions) >= options.limit:
                break
            entry = reader.get(message.message_id) if reader else None
            decisions.append(decide(message, entry, options))
    finally:
        if reader:
            reader.close()
    return decisions


def _sends(decisions: Sequence[Decision]) -> int:
    return sum(d.action == SEND for d in decisions)


def claim(outbox: Outbox, message: Outgoing, options: SendOptions) -> Decision:
    """:func:`decide` on the row as it is now, and the claim when it says send, in one
    transaction."""
    with outbox.transaction():
        entry = outbox.get(message.message_id)
        decision = decide(message, entry, options)
        if decision.action == SEND:
            outbox.record_claim(message.message_id, recipient=", ".join(message.recipients),
                                subject=message.subject, file=str(message.path),
                                content_sha256=stored_content(message), new=entry is None)
    return decision


# -- the batch -----------------------------------------------------------------------------

@dataclass
class Outcome:
    message: Outgoing
    status: str  # sent | failed | deferred | unconfirmed | skipped
    detail: str = ""
    decision: Decision | None = None  # for a skipped message: why

    @property
    def needs_attention(self) -> bool:
        """Did not go, and will not go by itself on the next run either."""
        return (self.status in ("failed", "deferred", "unconfirmed")
                or (self.decision is not None and self.decision.needs_attention))


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a batch, with what the batch had done so far (``report``)."""

    def __init__(self, report: BatchReport) -> None:
        super().__init__()
        self.report = report


@dataclass
class BatchReport:
    outcomes: list[Outcome]
    total: int = 0  # messages given to the run

    @property
    def not_reached(self) -> int:
        """Messages the run did not come to (it stopped, or --limit)."""
        return max(0, self.total - len(self.outcomes))

    def of(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    def summary(self) -> str:
        parts = [f"{len(self.of(s))} {s}" for s in
                 ("sent", "failed", "deferred", "unconfirmed", "skipped")]
        return ", ".join(parts)


class RateLimit:
    """At most ``per_minute`` message starts per minute (0: no limit)."""

    def __init__(self, per_minute: float, clock: Callable[[], float],
                 sleep: Callable[[float], None]) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self.clock, self.sleep = clock, sleep
        self.last: float | None = None

    def wait(self) -> None:
        if self.interval and self.last is not None:
            remaining = self.last + self.interval - self.clock()
            if remaining > 0:
                self.sleep(remaining)
        self.last = self.clock()


def backoff_delay(settings: SmtpSettings, retry: int) -> float:
    """Seconds before retry number ``retry`` (1, 2, …): doubling, capped."""
    return float(min(settings.max_backoff, settings.backoff * 2 ** (retry - 1)))


#: A run stops after this many messages whose end the server took without an answer: a
#: server that stalls on every message would otherwise leave the whole batch to be checked.
MAX_UNCONFIRMED = 3


def send_batch(messages: Sequence[Outgoing], outbox: Outbox, mailer: Route,
               options: SendOptions = SendOptions(), *, rate: float = 0.0,
               progress: Callable[[int, int], None] | None = None,
               sleep: Callable[[float], None] = time.sleep,
               clock: Callable[[], float] = time.monotonic) -> BatchReport:
    """Send what :func:`decide` allows, in order; a refused message does not stop the rest.

    The run ends with a :class:`DeliveryError` carrying the report so far
    (``error.report``) at once on a fault of the set-up (no server, a login or token needed
    or refused, TLS on one side only: see :class:`.route.Route`), after ``attempts`` for a
    connection that keeps breaking, and after :data:`MAX_UNCONFIRMED` unconfirmed messages.
    """
    report = BatchReport([], total=len(messages))
    limiter = RateLimit(rate, clock, sleep)
    attempted = 0
    for number, message in enumerate(messages, 1):
        if options.limit is not None and attempted >= options.limit:
            break
        decision = claim(outbox, message, options)
        if decision.action != SEND:
            report.outcomes.append(Outcome(message, "skipped", decision.reason, decision))
        else:
            attempted += 1
            try:
                limiter.wait()
                report.outcomes.append(_send_one(decision, outbox, mailer, sleep))
                _stop_when_unconfirmed(report, mailer)
            except KeyboardInterrupt as interrupt:
                _interrupted(decision, outbox, report)
                raise Interrupted(report) from interrupt
            except DeliveryError as error:
                if error.outcome is not None and error.outcome not in report.outcomes:
                    report.outcomes.append(error.outcome)
                error.report = report
                raise
        if progress:
            progress(number, len(messages))
    return report


def _interrupted(decision: Decision, outbox: Outbox, report: BatchReport) -> None:
    """Ctrl-C during a message: what became of it goes into the report. Its end went to the
    server: unconfirmed (listed for a person). Not yet: the claim goes back, unsent."""
    message = decision.message
    if any(outcome.message is message for outcome in report.outcomes):
        return  # its outcome is known already
    try:
        entry = outbox.get(message.message_id)
        if entry is not None and entry.status == "unconfirmed":
            report.outcomes.append(Outcome(
                message, "unconfirmed", "interrupted after the end of the message went to the "
                "server: may have arrived; check, then --mark-sent or --resend-uncertain"))
        elif entry is not None and entry.status == "sending":
            outbox.release(message.message_id, decision.entry)
    except (DeliveryError, sqlite3.Error):
        pass  # the next run finds the row as it is: 'sending' of a gone run is sent again


def _stop_when_unconfirmed(report: BatchReport, mailer: Route) -> None:
    unconfirmed = len(report.of("unconfirmed"))
    if unconfirmed >= MAX_UNCONFIRMED:
        raise DeliveryError(
            f"stopped after {unconfirmed} unconfirmed messages: the server took the end of "
            f"each but its answer did not come (within {mailer.settings.timeout:g} s)",
            location=mailer.where,
            hint="check the mail server (its log, its queue, its load) before sending more; "
            "then settle the unconfirmed ones: --mark-sent what arrived, --resend-uncertain "
            "what did not; the rest goes with the next run")


def _send_one(decision: Decision, outbox: Outbox, mailer: Route,
              sleep: Callable[[float], None]) -> Outcome:
    message = decision.message
    settings, key = mailer.settings, message.message_id
    last = ""
    told: float | None = None  # the wait the server asked for (Graph's Retry-After)
    for attempt in range(1, settings.attempts + 1):
        if attempt > 1:
            sleep(told if told is not None else backoff_delay(settings, attempt - 1))
        told = None
        try:
            accepted = mailer.deliver(
                message, before_end=lambda: outbox.mark(key, "unconfirmed", attempt=True))
        except Refused as refusal:
            if refusal.permanent:
                outbox.mark(key, "failed", refusal.describe())
                return Outcome(message, "failed", refusal.describe())
            last, told = refusal.describe(), refusal.retry_after
            outbox.mark(key, "sending", last)
        except ConnectionLost as lost:
            if lost.uncertain:
                detail = f"connection lost after the end of the message: {lost}"
                outbox.mark(key, "unconfirmed", detail)
                return Outcome(message, "unconfirmed", detail)
            last = f"connection to {settings.host}:{settings.port} failed: {lost}"
            outbox.mark(key, "sending", last)
        except DeliveryError:
            # The set-up is at fault: the server took nothing of this message (also when it
            # refused only at its end, e.g. a token refused by Graph). It goes back as it
            # was, unsent (a new message leaves no row).
            with contextlib.suppress(DeliveryError):
                outbox.release(key, decision.entry, answered=True)
            raise
        else:
            outbox.mark(key, "sent", accepted)
            return Outcome(message, "sent", accepted)
    outbox.mark(key, "deferred", last)
    if last.startswith("connection"):
        tries = f"{settings.attempts} time{'s' if settings.attempts != 1 else ''}"
        error = DeliveryError(last, hint=f"tried {tries}; rerun later, messages already sent "
                              "are not sent again")
        error.outcome = Outcome(message, "deferred", last)
        raise error
    return Outcome(message, "deferred", f"{last}; after {settings.attempts} attempts")
