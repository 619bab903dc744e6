"""The loopback SMTP server the e-mail tests use: it receives, and it can refuse."""

import smtplib

import pytest
from django.core.mail import send_mail


def test_smtp_server_receives_what_django_sends(smtp_server):
    send_mail("Statement", "body", "salesops@localhost", ["zhou.min@huadong.example"])
    assert smtp_server.messages[0]["Subject"] == "Statement"


def test_smtp_server_can_refuse_then_accept(smtp_server):
    smtp_server.refuse = 1
    with pytest.raises(smtplib.SMTPDataError):
        send_mail("First", "body", "salesops@localhost", ["b@y.example"])
    send_mail("Second", "body", "salesops@localhost", ["b@y.example"])
    assert [m["Subject"] for m in smtp_server.messages] == ["Second"]
