"""SMTP delivery against a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import email
import ssl
from email import policy
from pathlib import Path

import pytest

from pubkit.send.campaign import message_bytes
from pubkit.send.smtp import (
    Attempt,
    SmtpConfig,
    SmtpConfigError,
    SmtpSender,
    SmtpUnavailable,
)
from pubkit.settings import Smtp
from tests.send.letters import SENDER, message
from tests.send.smtp_server import (
    PasswordCheck,
    ScriptedHandler,
    free_port,
    make_certificate,
    smtp_server,
)

PASSWORD = "Tr0ub4dor-s3cret"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


def plain(port: int, **kw: object) -> SmtpConfig:
    base: dict[str, object] = {"security": "none", "timeout": 5.0, "retries": 2,
                               "retry_delay": 0.01}
    return SmtpConfig("127.0.0.1", port, **{**base, **kw})  # type: ignore[arg-type]


class Run:
    """A sender with a recording sleep, and the hooks a caller passes."""

    def __init__(self, config: SmtpConfig) -> None:
        self.sleeps: list[float] = []
        self.retries: list[Attempt] = []
        self.before: list[str] = []
        self.sender = SmtpSender(config, sleep=self.sleeps.append)

    def deliver(self, rcpt: str, **kw: str) -> Attempt:
        data = message_bytes(message(rcpt, **kw))
        return self.sender.deliver(SENDER, rcpt, data, lambda: self.before.append(rcpt),
                                   self.retries.append)


def parsed(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def test_message_arrives_with_its_headers_and_body(port: int, handler: ScriptedHandler) -> None:
    body = "First line\n.a line starting with a dot\n..two dots\n.\nlast line\n"
    run = Run(plain(port))
    attempt = run.deliver("ana@example.org", name="Ana Lima", subject="Spring news", body=body)
    run.sender.close()
    assert (attempt.status, attempt.code, attempt.data_sent) == ("sent", 250, True)
    msg = parsed(handler.message_to("ana@example.org"))
    assert msg["To"] == "Ana Lima <ana@example.org>"
    assert msg["From"] == f"Clinic <{SENDER}>"
    assert msg["Subject"] == "Spring news"
    # The server undoes the dot-stuffing: every line arrives as written.
    assert msg.get_content().replace("\r\n", "\n") == body
    assert handler.mail_from == [SENDER]


def test_many_messages_share_one_connection(port: int, handler: ScriptedHandler) -> None:
    run = Run(plain(port))
    results = [run.deliver(f"p{i}@example.org").status for i in range(25)]
    run.sender.close()
    assert results == ["sent"] * 25
    assert handler.connections == 1 and run.sender.connections == 1
    assert sorted(handler.counts().values()) == [1] * 25


def test_451_is_retried_with_growing_pauses_then_accepted(port: int,
                                                          handler: ScriptedHandler) -> None:
    handler.data_replies["bo@example.org"] = ["451 4.3.0 try later", "451 4.3.0 try later"]
    run = Run(plain(port, retries=3, retry_delay=0.5))
    attempt = run.deliver("bo@example.org")
    assert attempt.status == "sent"
    assert [a.code for a in run.retries] == [451, 451]
    assert run.sleeps == [0.5, 1.0]
    assert handler.counts()["bo@example.org"] == 1
    assert run.before == ["bo@example.org"] * 3  # each try reached the data


def test_451_until_the_retries_run_out_fails(port: int, handler: ScriptedHandler) -> None:
    handler.data_replies["cy@example.org"] = ["451 4.7.1 greylisted"] * 5
    run = Run(plain(port, retries=2))
    attempt = run.deliver("cy@example.org")
    assert attempt.status == "failed" and attempt.code == 451
    assert "gave up after 3 tries" in attempt.detail
    assert handler.counts()["cy@example.org"] == 0
    assert run.deliver("next@example.org").status == "sent"


def test_550_after_the_data_fails_at_once(port: int, handler: ScriptedHandler) -> None:
    handler.data_replies["dee@example.org"] = ["550 5.7.1 content rejected"]
    run = Run(plain(port))
    attempt = run.deliver("dee@example.org")
    assert (attempt.status, attempt.code) == ("failed", 550)
    assert "content rejected" in attempt.detail and not run.retries
    assert run.deliver("next@example.org").status == "sent"
    assert run.sender.connections == 1


def test_refused_recipient_fails_before_any_data(port: int, handler: ScriptedHandler) -> None:
    handler.rcpt_replies["nobody@example.org"] = "550 5.1.1 no such user"
    run = Run(plain(port))
    attempt = run.deliver("nobody@example.org")
    assert (attempt.status, attempt.code, attempt.data_sent) == ("failed", 550, False)
    assert "recipient refused" in attempt.detail
    assert run.before == []  # the ledger is never told the data went out
    assert run.deliver("next@example.org").status == "sent"  # RSET left the session usable


def test_refused_sender_stops_everything(port: int, handler: ScriptedHandler) -> None:
    handler.mail_reply = "553 5.7.1 sender not allowed"
    run = Run(plain(port))
    with pytest.raises(SmtpConfigError, match=r"refused the sender news@clinic\.example: 553"):
        run.deliver("any@example.org")
    assert run.before == [] and handler.received == []


def test_temporarily_refused_recipient_is_retried(port: int, handler: ScriptedHandler) -> None:
    handler.rcpt_replies["full@example.org"] = "452 4.2.2 mailbox full"
    run = Run(plain(port, retries=1))
    attempt = run.deliver("full@example.org")
    assert attempt.status == "failed" and len(run.retries) == 1
    assert not run.retries[0].data_sent


def test_connection_lost_after_the_data_is_unknown(port: int, handler: ScriptedHandler) -> None:
    handler.drop_after_data.add("eve@example.org")
    run = Run(plain(port))
    attempt = run.deliver("eve@example.org")
    assert (attempt.status, attempt.data_sent) == ("unknown", True)
    assert not run.retries  # never resent on its own
    assert handler.counts()["eve@example.org"] == 1  # the server did get it
    assert run.deliver("fay@example.org").status == "sent"
    assert run.sender.connections == 2  # reconnected for the next recipient


def test_before_data_runs_before_the_server_has_the_message(port: int,
                                                            handler: ScriptedHandler) -> None:
    seen: list[int] = []
    sender = SmtpSender(plain(port))
    data = message_bytes(message("gus@example.org"))
    sender.deliver(SENDER, "gus@example.org", data,
                   lambda: seen.append(handler.counts()["gus@example.org"]), print)
    assert seen == [0] and handler.counts()["gus@example.org"] == 1


def test_international_addresses(handler: ScriptedHandler) -> None:
    with smtp_server(handler) as ctl:  # aiosmtpd offers SMTPUTF8 here
        run = Run(plain(ctl.port))
        assert run.deliver("ana@bücher.example").status == "sent"
        assert run.deliver("jürgen@bücher.example").status == "sent"
    assert set(handler.counts()) == {"ana@xn--bcher-kva.example", "jürgen@xn--bcher-kva.example"}
    with smtp_server(handler, enable_SMTPUTF8=False) as ctl:
        run = Run(plain(ctl.port))
        assert run.deliver("ana@bücher.example").status == "sent"  # the domain in ASCII form
        attempt = run.deliver("jürgen@bücher.example")
        assert attempt.status == "failed" and "no SMTPUTF8" in attempt.detail


def test_rate_limit_paces_transactions(port: int) -> None:
    now = [100.0]  # a clock that moves only when the sender sleeps

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        now[0] += seconds

    naps: list[float] = []
    sender = SmtpSender(plain(port, rate_limit=20.0), sleep=sleep, clock=lambda: now[0])
    for i in range(4):
        data = message_bytes(message(f"h{i}@example.org"))
        assert sender.deliver(SENDER, f"h{i}@example.org", data, lambda: None, print).status \
            == "sent"
    assert naps == pytest.approx([0.05, 0.05, 0.05])  # the first at once, then one per slot


def test_unreachable_server_stops_after_bounded_tries() -> None:
    run = Run(plain(free_port(), retries=2, retry_delay=0.25))
    with pytest.raises(SmtpUnavailable, match=r"cannot reach 127\.0\.0\.1"):
        run.sender.open()
    assert run.sleeps == [0.25, 0.5]


def test_starttls_required_but_not_offered(port: int) -> None:
    with pytest.raises(SmtpConfigError, match="does not offer STARTTLS"):
        SmtpSender(plain(port, security="starttls")).open()


def _server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(*certificate)
    return ctx


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_tls_and_login(certificate: tuple[Path, Path], handler: ScriptedHandler,
                       security: str) -> None:
    check = PasswordCheck("mailer", PASSWORD)
    tls = _server_tls(certificate)
    kwargs = ({"tls_context": tls, "require_starttls": True} if security == "starttls"
              else {"ssl_context": tls, "auth_require_tls": False})
    with smtp_server(handler, authenticator=check, auth_required=True, **kwargs) as ctl:
        config = plain(ctl.port, security=security, user="mailer", password=PASSWORD,
                       ca_file=certificate[0])
        run = Run(config)
        assert run.deliver("ivy@example.org").status == "sent"
        run.sender.close()
        assert check.tries == [("mailer", PASSWORD)]
        assert handler.counts()["ivy@example.org"] == 1

        wrong = SmtpSender(plain(ctl.port, security=security, user="mailer",
                                 password="not-" + PASSWORD, ca_file=certificate[0]))
        with pytest.raises(SmtpConfigError, match="refused the login of mailer") as exc:
            wrong.open()
        assert PASSWORD not in str(exc.value)


def test_untrusted_certificate_is_a_settings_error(certificate: tuple[Path, Path],
                                                   handler: ScriptedHandler) -> None:
    with smtp_server(handler, ssl_context=_server_tls(certificate)) as ctl, \
            pytest.raises(SmtpConfigError, match="certificate not trusted"):
        SmtpSender(plain(ctl.port, security="tls", retries=0)).open()


def test_password_comes_from_the_environment_and_stays_hidden(tmp_path: Path) -> None:
    smtp = Smtp(user="mailer", security="starttls", host="mail.example.net")
    with pytest.raises(SmtpConfigError, match="PUBKIT_SMTP_PASSWORD"):
        SmtpConfig.from_settings(smtp, tmp_path, environ={})
    config = SmtpConfig.from_settings(smtp, tmp_path, environ={"PUBKIT_SMTP_PASSWORD": PASSWORD},
                                      port=2525)
    assert (config.password, config.port, config.host) == (PASSWORD, 2525, "mail.example.net")
    assert PASSWORD not in repr(config)
    assert config.scrub(f"535 bad credentials {PASSWORD}") == "535 bad credentials ********"
    assert SmtpConfig.from_settings(Smtp(ca_file="certs/ca.pem"), tmp_path).ca_file == \
        tmp_path / "certs" / "ca.pem"
    # No password is read, or needed, without a user.
    anonymous = SmtpConfig.from_settings(Smtp(), tmp_path, environ={"PUBKIT_SMTP_PASSWORD": "x"})
    assert anonymous.password is None


def test_login_without_tls_is_refused_off_this_machine(tmp_path: Path) -> None:
    env = {"PUBKIT_SMTP_PASSWORD": PASSWORD}
    smtp = Smtp(user="mailer", security="none", host="mail.example.net")
    with pytest.raises(SmtpConfigError, match="without TLS"):
        SmtpConfig.from_settings(smtp, tmp_path, environ=env)
    assert SmtpConfig.from_settings(smtp, tmp_path, environ=env, host="127.0.0.1").user == "mailer"
