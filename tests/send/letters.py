"""Messages built in the tests, standing in for a composed newsletter."""

from __future__ import annotations

from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

from pubkit.send.recipients import Recipient

SENDER = "news@clinic.example"


def message(rcpt: str, name: str = "", subject: str = "Clinic news", body: str = "") -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP if rcpt.isascii() else policy.SMTPUTF8)
    msg["From"] = Address("Clinic", addr_spec=SENDER)
    msg["To"] = Address(name, addr_spec=rcpt) if rcpt.isascii() else rcpt
    msg["Subject"] = subject
    msg.set_content(body or f"Hello {name or rcpt},\n\nThis month at the clinic.\n")
    return msg


@dataclass
class Letter:
    """A newsletter with the interface sending uses: name, content hash, message_for."""

    name: str = "spring"
    content_hash: str = "0123abcd"
    built: list[str] = field(default_factory=list)

    def message_for(self, recipient: Recipient) -> EmailMessage:
        self.built.append(recipient.email)
        first = recipient.fields.get("first_name") or recipient.name or "reader"
        return message(recipient.email, recipient.name, f"News for {first}")


def recipients(count: int, domain: str = "example.org") -> list[Recipient]:
    return [Recipient(f"r{i:04d}@{domain}", f"Reader {i}",
                      {"email": f"r{i:04d}@{domain}", "name": f"Reader {i}"}, i + 2)
            for i in range(count)]
