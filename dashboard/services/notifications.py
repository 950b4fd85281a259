"""The notifier: watches the plant's notification rules, tells each cause once until it clears, and sends the
messages by e-mail and webhook with retries; people's subscriptions; the delivery log the Data page and the API show.

``run()`` is the scheduler's job, every minute. First each rule's causes are read (``notify_causes``): a cause seen
for the first time is opened; once it has lasted the rule's ``after_minutes`` it is told (one message per channel,
and per address for e-mail: the channel's own and its subscribers'); a cause no longer seen clears, with a "cleared"
message when the rule wants one. Then every message due is tried: a failure waits twice as long as the one before
(``retry_first_seconds``, persisted as ``next_attempt_at``) and is given up after ``max_attempts``, logged.

Two schedulers may run this at once (a leader handing over): every step is a compare-and-set in
``data.queries.notifications``, so each cause is opened, told and cleared once and each try is made by one process.
Secrets (webhook addresses, the SMTP password) come from the environment and are masked in every log line and
every stored reason.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from huddle.dashboard.core.format import format_time
from huddle.dashboard.core.i18n import _, use_language
from huddle.dashboard.core.notify_rules import ADDRESS, CAUSES, Channel, NotificationError, Rule, covers
from huddle.dashboard.services.accounts import ForbiddenError, Identity
from huddle.dashboard.services.notify_causes import SEERS, Seen
from huddle.dashboard.services.notify_send import Message, SendError, post_webhook, redact, send_email
from huddle.data.models_notify import NotificationCause
from huddle.data.queries import accounts as account_queries
from huddle.data.queries import notifications as queries
from sqlalchemy.exc import IntegrityError

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services

log = logging.getLogger("huddle.notifications")


@dataclass(frozen=True)
class RunOutcome:
    """What one run did: causes opened, told and cleared, messages sent, retried and given up."""

    opened: int = 0
    told: int = 0
    cleared: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


class Notifier:
    """Rules watched, messages sent, subscriptions kept, for one plant."""

    def __init__(self, services: Services, env: Mapping[str, str] | None = None) -> None:
        self.services = services
        self.config = services.config
        self.rules = services.config.notifications
        self.settings = services.settings
        self.env = os.environ if env is None else env

    # ---- channels ----------------------------------------------------------------------------------------------

    def channel_off(self, channel: Channel) -> str:
        """Why a channel sends nothing ("" when it is on): no mail server set, or its variable not set."""
        if channel.is_email:
            if not self.settings.smtp_host:
                return _("off: no mail server is set in Huddle's settings")
            if not self.settings.smtp_sender:
                return _("off: no sender address is set (the smtp_sender setting)")
            return ""
        if not channel.url(self.env):
            return _("off: the environment variable {name} is not set").format(name=channel.url_env)
        return ""

    def secrets(self) -> list[str]:
        """The secret values the environment holds for this plant's channels."""
        return self.rules.secrets(self.env)

    # ---- the scheduler's job -----------------------------------------------------------------------------------

    def run(self) -> RunOutcome:
        """Watch every rule, then send what is due (the scheduler's job, every minute)."""
        opened = told = cleared = 0
        with use_language(self.config.language):
            for rule in self.rules.rules.values():
                seer = SEERS.get(rule.cause)
                if seer is None:
                    continue
                try:
                    seen = seer(self.services, rule)
                except Exception:  # one rule's trouble (a reading that fails) must not stop the others
                    log.exception("notification rule %s could not be checked; its causes are kept as they were",
                                  rule.key)
                    continue
                o, t, c = self._reconcile(rule, seen)
                opened, told, cleared = opened + o, told + t, cleared + c
            sent, retried, failed = self.send_due()
        return RunOutcome(opened, told, cleared, sent, retried, failed)

    def _reconcile(self, rule: Rule, seen: list[Seen]) -> tuple[int, int, int]:
        """Open the causes seen first now, tell those that lasted the rule's wait, clear those gone."""
        now = self.services.clock()
        by_key = {s.key: s for s in seen}
        opened = told = cleared = 0
        with self.services.sessions() as session:
            known = {c.cause_key: c for c in queries.open_causes(session, [rule.key])}
        for key, s in by_key.items():
            if key in known:
                continue
            try:
                with self.services.sessions.begin() as session:
                    queries.open_cause(session, rule.key, key, s.scope, s.title, now)
                opened += 1
            except IntegrityError:  # another scheduler opened it a moment ago
                continue
        with self.services.sessions() as session:
            current = queries.open_causes(session, [rule.key])
        for cause in current:
            s = by_key.get(cause.cause_key)
            if s is not None and cause.told_at is None and now - cause.first_seen_at >= timedelta(
                    minutes=rule.after_minutes):
                told += self._tell(rule, cause, s, now)
            elif s is None:
                cleared += self._clear(rule, cause, now)
        return opened, told, cleared

    def _tell(self, rule: Rule, cause: NotificationCause, seen: Seen, now: datetime) -> int:
        """Tell a cause on each channel of its rule, once (compare-and-set on its ``told_at``)."""
        body = "\n\n".join([*seen.details, _("Seen since {time}. Rule: {rule}.").format(
            time=format_time(cause.first_seen_at, self.config.tz), rule=rule.name)])
        message = Message(f"{self.config.site_name}: {seen.title}", body, self._link(seen.path))
        with self.services.sessions.begin() as session:
            if not queries.mark_told(session, cause.id, now):
                return 0
            self._queue(session, rule, cause, "raised", message, now)
        return 1

    def _clear(self, rule: Rule, cause: NotificationCause, now: datetime) -> int:
        """Close a cause no longer seen; a told one says so when the rule wants it."""
        title = _("Cleared: {title}").format(title=cause.title)
        body = _("{title}: no longer so since {time}.").format(title=cause.title,
                                                               time=format_time(now, self.config.tz))
        message = Message(f"{self.config.site_name}: {title}", body, cleared=True)
        with self.services.sessions.begin() as session:
            if not queries.mark_cleared(session, cause.id, now):
                return 0
            if cause.told_at is not None and rule.cleared:
                self._queue(session, rule, cause, "cleared", message, now)
        return 1

    def _queue(self, session: Any, rule: Rule, cause: NotificationCause, kind: str, message: Message,
               now: datetime) -> None:
        """One delivery per channel that is on (per address for e-mail)."""
        for key in rule.channels:
            channel = self.rules.channels[key]
            if self.channel_off(channel):
                continue
            for recipient in self._recipients(session, rule, channel, cause.scope):
                queries.add_delivery(session, cause.id, kind, key, recipient, message.subject, message.body,
                                     message.link, now)

    def _recipients(self, session: Any, rule: Rule, channel: Channel, scope: str) -> list[str]:
        """A webhook's one post (""), or an e-mail channel's addresses and its rule's subscribers for the scope."""
        if not channel.is_email:
            return [""]
        areas = {k: a.lines for k, a in self.config.areas.items()}
        wanted = [*channel.to, *(email for sub_scope, email in queries.subscribers(session, rule.key)
                                 if covers(sub_scope, scope, areas, (self.config.site_key,)))]
        seen: dict[str, str] = {}
        for address in wanted:
            seen.setdefault(address.lower(), address)
        return list(seen.values())

    def _link(self, path: str) -> str:
        """The address of a page in Huddle, when the plant has set its public address."""
        return f"{self.settings.public_url}{path}" if self.settings.public_url and path else ""

    # ---- sending -----------------------------------------------------------------------------------------------

    def send_due(self) -> tuple[int, int, int]:
        """Try every message due; (sent, to retry, given up)."""
        sent = retried = failed = 0
        now = self.services.clock()
        with self.services.sessions() as session:
            due = queries.due_deliveries(session, now)
            session.expunge_all()
        for delivery in due:
            tries = delivery.attempts + 1
            retry_at = now + timedelta(seconds=self.rules.retry_after_s(tries))
            with self.services.sessions.begin() as session:
                if not queries.claim_delivery(session, delivery.id, delivery.attempts, retry_at):
                    continue  # another scheduler is trying it
            error = self._send(delivery.channel_key, delivery.recipient,
                               Message(delivery.subject, delivery.body, delivery.link, delivery.kind == "cleared",
                                       self._facts(delivery)))
            if not error:
                status, sent = "sent", sent + 1
            elif tries >= self.rules.max_attempts:
                status, failed = "failed", failed + 1
                log.error("notification %d to %s given up after %d tries: %s", delivery.id, delivery.channel_key,
                          tries, error)
            else:
                status, retried = "pending", retried + 1
                log.warning("notification %d to %s failed (try %d of %d), next try %s: %s", delivery.id,
                            delivery.channel_key, tries, self.rules.max_attempts, retry_at.isoformat(), error)
            with self.services.sessions.begin() as session:
                queries.finish_delivery(session, delivery.id, status, error, now)
        return sent, retried, failed

    def _send(self, channel_key: str, recipient: str, message: Message) -> str:
        """Send one message; "" when it went, else why not (with every secret masked)."""
        channel = self.rules.channels.get(channel_key)
        if channel is None:
            return _("the channel {channel} is no longer in the plant file").format(channel=channel_key)
        off = self.channel_off(channel)
        if off:
            return off
        try:
            if channel.is_email:
                send_email(self.settings, self.rules.smtp_password(self.env), message, recipient,
                           self.services.clock())
            else:
                post_webhook(channel.kind, channel.url(self.env), message)
        except SendError as exc:
            return redact(str(exc), self.secrets())
        except Exception as exc:  # an unexpected failure is retried like the others, named by its kind only
            return type(exc).__name__
        return ""

    def _facts(self, delivery: Any) -> dict[str, Any]:
        """The generic webhook's fields of a message: its site, rule, cause and scope."""
        with self.services.sessions() as session:
            cause = queries.cause(session, delivery.cause_id)
            rule = self.rules.rules.get(cause.rule_key) if cause else None
            return {"site": self.config.site_key, "rule": cause.rule_key if cause else None,
                    "rule_name": rule.name if rule else None, "cause": rule.cause if rule else None,
                    "about": cause.cause_key if cause else None, "scope": cause.scope if cause else None,
                    "at": self.services.clock().isoformat()}

    # ---- subscriptions -----------------------------------------------------------------------------------------

    def _person(self, who: Identity, what: str) -> int:
        """The signed-in person's user id; ``ForbiddenError`` for a display, nobody, or a disabled account."""
        if who.kind != "user":
            raise ForbiddenError(f"{what} needs a signed-in person")
        with self.services.sessions() as session:
            user = account_queries.user_named(session, who.name)
            if user is None or user.disabled:
                raise ForbiddenError(f"{what} needs a signed-in person")
            return user.id

    def subscriptions(self, who: Identity) -> list[dict[str, Any]]:
        """A person's own subscriptions, in words."""
        user_id = self._person(who, "reading subscriptions")
        with self.services.sessions() as session:
            rows = queries.subscriptions_of(session, user_id)
        return [{"id": r.id, "rule": r.rule_key, "rule_name": self._rule_name(r.rule_key), "scope": r.scope,
                 "scope_name": self._scope_name(r.scope), "email": r.email} for r in rows]

    def subscribe(self, who: Identity, rule_key: str, scope: str, email: str) -> bool:
        """Subscribe the signed-in person to a rule's e-mails for a scope ("" = all it watches), audited; False
        when they were already (the address is updated)."""
        user_id = self._person(who, "subscribing to notifications")
        rule = self.rules.rules.get(rule_key or "")
        if rule is None:
            raise NotificationError(_("Pick a notification rule."))
        if not any(self.rules.channels[c].is_email for c in rule.channels):
            raise NotificationError(_("{rule} sends no e-mail: it tells its channels only.").format(rule=rule.name))
        scope = "" if scope in ("", None) else scope
        if scope == "plant":
            scope = self.config.site_key
        if scope and scope not in (self.config.site_key, *self.config.areas, *self.config.lines):
            raise NotificationError(_("Pick a line, an area or the whole plant."))
        email = (email or "").strip()
        if not ADDRESS.fullmatch(email) or len(email) > 254:
            raise NotificationError(_("“{address}” is not an e-mail address.").format(address=email[:80]))
        with self.services.sessions.begin() as session:
            added = queries.add_subscription(session, user_id, rule.key, scope, email, self.services.clock())
            self.services.accounts.audit(session, who, "notification.subscribe", rule.key, scope=scope)
        return added

    def unsubscribe(self, who: Identity, subscription_id: int) -> None:
        """Remove one of the signed-in person's own subscriptions, audited (another person's is refused)."""
        user_id = self._person(who, "unsubscribing")
        with self.services.sessions.begin() as session:
            row = queries.remove_subscription(session, user_id, subscription_id)
            if row is None:
                raise NotificationError(_("That subscription is not yours, or is gone."))
            self.services.accounts.audit(session, who, "notification.unsubscribe", row.rule_key, scope=row.scope)

    def _rule_name(self, key: str) -> str:
        rule = self.rules.rules.get(key)
        return rule.name if rule else key.replace("-", " ").replace("_", " ").capitalize()

    def _scope_name(self, scope: str) -> str:
        if not scope:
            return _("everywhere it watches")
        try:
            return self.config.scope_name(scope)
        except KeyError:
            return scope

    # ---- what the Data page and the API show -------------------------------------------------------------------

    def report(self, limit: int = 50) -> dict[str, Any]:
        """The channels (on, or why off), the rules and their open causes, the delivery counts and latest log."""
        tz = self.config.tz
        today = self.services.clock().astimezone(tz).date()
        with self.services.sessions() as session:
            causes = queries.open_causes(session)
            log_rows = queries.delivery_log(session, limit)
            counts = queries.delivery_counts(session)
        channels = [{"key": c.key, "name": c.name, "kind": c.kind, "off": self.channel_off(c)}
                    for c in self.rules.channels.values()]
        rules = [{"key": r.key, "name": r.name, "cause": r.cause, "cause_words": _(CAUSES[r.cause]),
                  "channels": [self.rules.channels[c].name for c in r.channels],
                  "emails": any(self.rules.channels[c].is_email for c in r.channels),
                  "open": [c.title for c in causes if c.rule_key == r.key]} for r in self.rules.rules.values()]
        deliveries = [{
            "id": d.id, "at": d.created_at.isoformat(), "when": format_time(d.created_at, tz, today),
            "rule": c.rule_key, "rule_name": self._rule_name(c.rule_key), "kind": d.kind, "subject": d.subject,
            "channel": d.channel_key,
            "channel_name": self.rules.channels[d.channel_key].name if d.channel_key in self.rules.channels
            else d.channel_key,
            "recipient": d.recipient, "status": d.status, "attempts": d.attempts,
            "next_attempt": format_time(d.next_attempt_at, tz, today) if d.status == "pending" else "",
            "next_attempt_at": d.next_attempt_at.isoformat() if d.status == "pending" else None,
            "sent_at": d.sent_at.isoformat() if d.sent_at else None, "error": d.last_error}
            for d, c in log_rows]
        return {"channels": channels, "rules": rules, "counts": counts, "deliveries": deliveries}
