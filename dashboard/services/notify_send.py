"""Sending one notification: an e-mail through the plant's mail server (plain text and simple HTML, escaped), or a
webhook post as a generic JSON object, a Microsoft Teams incoming webhook (an Adaptive Card in a message) or a Slack
incoming webhook (``text`` and ``blocks``).

A send raises ``SendError`` with a reason fit for the delivery log: secrets (webhook addresses, the SMTP password)
are masked in it by ``redact``, so nothing a log line or the Data page says ever holds them.
"""

from __future__ import annotations

import html
import json
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from huddle.dashboard.core.i18n import _
from huddle.dashboard.settings import Settings

TIMEOUT_S = 10.0
MASK = "***"


class SendError(Exception):
    """A message could not be sent; the reason holds no secret."""


@dataclass(frozen=True)
class Message:
    """What is told, in the plant's language: subject, plain text, a link into Huddle, and whether it clears."""

    subject: str
    body: str
    link: str = ""
    cleared: bool = False
    facts: dict[str, Any] | None = None  # the generic webhook's fields: rule, cause, scope...


def redact(text: str, secrets: Iterable[str]) -> str:
    """The text with every secret replaced by ***."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


# ---- e-mail ------------------------------------------------------------------------------------------------------


def email_message(message: Message, sender: str, recipient: str, at: datetime) -> EmailMessage:
    """The e-mail, dated ``at`` (Huddle's clock): plain text, and the same as simple HTML with every text escaped."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = sender
    mail["To"] = recipient
    mail["Date"] = formatdate(at.timestamp(), usegmt=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    text = message.body + (f"\n\n{message.link}" if message.link else "")
    mail.set_content(text)
    paragraphs = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in message.body.split("\n\n"))
    words = html.escape(_("Open in Huddle"))
    link = f'<p><a href="{html.escape(message.link, quote=True)}">{words}</a></p>' if message.link else ""
    colour = "#1b5e20" if message.cleared else "#b71c1c"
    mail.add_alternative(
        f'<!DOCTYPE html><html><body style="font-family: sans-serif">'
        f'<h2 style="color: {colour}">{html.escape(message.subject)}</h2>{paragraphs}{link}</body></html>',
        subtype="html")
    return mail


def send_email(settings: Settings, password: str, message: Message, recipient: str, at: datetime) -> None:
    """Send one e-mail, dated ``at``, through the mail server of the settings; ``SendError`` with a masked reason."""
    host, port, sender = settings.smtp_host or "", settings.smtp_port, settings.smtp_sender or ""
    mail = email_message(message, sender, recipient, at)
    try:
        if settings.smtp_tls == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_S,
                                                     context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(host, port, timeout=TIMEOUT_S)
        with server:
            if settings.smtp_tls == "starttls":
                server.starttls(context=ssl.create_default_context())
            if settings.smtp_username and password:
                server.login(settings.smtp_username, password)
            refused = server.send_message(mail)
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        raise SendError(redact(f"{type(exc).__name__}: {exc}", [password])[:300]) from None
    if refused:
        raise SendError(_("the mail server refused {address}").format(address=recipient))


# ---- webhooks ----------------------------------------------------------------------------------------------------


def generic_payload(message: Message) -> dict[str, Any]:
    """A generic webhook's JSON: the message's words and its facts."""
    return {"subject": message.subject, "text": message.body, "link": message.link or None,
            "state": "cleared" if message.cleared else "raised", **(message.facts or {})}


def teams_payload(message: Message) -> dict[str, Any]:
    """A Microsoft Teams incoming webhook's JSON: a message holding one Adaptive Card (title, text, a link)."""
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
        "body": [{"type": "TextBlock", "text": message.subject, "weight": "Bolder", "size": "Medium", "wrap": True,
                  "color": "Good" if message.cleared else "Attention"},
                 {"type": "TextBlock", "text": message.body, "wrap": True}]}
    if message.link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": _("Open in Huddle"), "url": message.link}]
    return {"type": "message", "summary": message.subject,
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
                             "content": card}]}


def slack_escape(text: str) -> str:
    """Text for Slack's mrkdwn: &, < and > escaped, as Slack asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(message: Message) -> dict[str, Any]:
    """A Slack incoming webhook's JSON: ``text`` (the notification's words) and ``blocks`` (title, text, link)."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.subject[:150], "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(message.body)[:3000]}}]
    if message.link:
        blocks.append({"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": _("Open in Huddle")}, "url": message.link}]})
    return {"text": slack_escape(message.subject), "blocks": blocks}


PAYLOADS = {"webhook": generic_payload, "teams": teams_payload, "slack": slack_payload}


def post_webhook(kind: str, url: str, message: Message) -> None:
    """Post the message to a webhook in its kind's format; ``SendError`` naming the answer, never the address."""
    body = json.dumps(PAYLOADS[kind](message), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "Huddle notifications"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
            status = answer.status
    except urllib.error.HTTPError as exc:
        raise SendError(_("the webhook answered HTTP {status}").format(status=exc.code)) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(redact(_("the webhook could not be reached ({reason})").format(reason=reason),
                               [url])[:300]) from None
    if not 200 <= status < 300:
        raise SendError(_("the webhook answered HTTP {status}").format(status=status))
