"""Received mails as real senders write them, built byte by byte (not with
the code under test): a GBK customer mail, a bounce, an auto-reply."""
from __future__ import annotations

import base64


def _b(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def gbk_customer_mail(message_id: str | None = "<gbk-1@customer.example.cn>") -> bytes:
    """Labelled gb2312 but holding 镕 (GBK only), as Chinese webmail does;
    attachment names as quoted RFC 2047 words and as RFC 2231."""
    body = "您好，打印机坏了。联系人：朱镕基\r\n附件是报价单。\r\n".encode("gbk")
    head = (
        f"From: {_b('李娜', 'gbk')} <Li.Na@Customer.example.cn>\r\n"
        f"To: support@crossdock.example.cn\r\n"
        f"Subject: {_b('打印机故障 朱镕基', 'gbk').replace('gbk', 'gb2312')}\r\n"
        + (f"Message-ID: {message_id}\r\n" if message_id else "")
        + "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
    ).encode("ascii")
    return (
        head
        + b"--b1\r\nContent-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + body
        + b"\r\n--b1\r\nContent-Type: application/vnd.ms-excel; name=\"" + _b("报价单.xls", "gbk").encode()
        + b"\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\""
        + _b("报价单.xls", "gbk").encode() + b"\"\r\n\r\n"
        + base64.b64encode(b"XLS bytes") + b"\r\n"
        + b"--b1\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        + b"Content-Disposition: attachment; filename*=gbk''" + _percent("故障照片.png", "gbk")
        + b"\r\n\r\n" + base64.b64encode(b"\x89PNG bytes") + b"\r\n--b1--\r\n"
    )


def bounce_of(our_message_id: str, bounce_address: str) -> bytes:
    """A Postfix-style DSN (RFC 3464) sent to our VERP address."""
    return (
        "Return-Path: <>\r\n"
        f"Delivered-To: {bounce_address}\r\n"
        "From: MAILER-DAEMON@mx.customer.example.cn (Mail Delivery System)\r\n"
        f"To: {bounce_address}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-1@mx.customer.example.cn>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r1\"\r\n\r\n"
        "--r1\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message"
        " could not be delivered.\r\n\r\n"
        "--r1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.customer.example.cn\r\n\r\n"
        "Final-Recipient: rfc822; nobody@customer.example.cn\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <nobody@customer.example.cn>: Recipient address\r\n"
        "    rejected: User unknown in virtual mailbox table\r\n\r\n"
        "--r1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {our_message_id}\r\nSubject: =?utf-8?b?5Y+R56Wo?=\r\n\r\n"
        "--r1--\r\n"
    ).encode("ascii")


def auto_reply(to_message_id: str) -> bytes:
    return (
        f"From: {_b('王芳', 'utf-8')} <wang.fang@customer.example.cn>\r\n"
        "To: support@crossdock.example.cn\r\n"
        f"Subject: {_b('自动回复：我正在休假', 'utf-8')}\r\n"
        "Message-ID: <ooo-1@customer.example.cn>\r\n"
        f"In-Reply-To: {to_message_id}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + "我 12 月 20 日回来。\r\n"
    ).encode("utf-8")


def plain_mail(n: int, size: int = 0) -> bytes:
    return (f"From: customer{n}@example.com\r\nTo: support@crossdock.example.cn\r\n"
            f"Subject: question {n}\r\nMessage-ID: <q{n}@example.com>\r\n\r\n"
            f"question {n}\r\n" + "x" * size + "\r\n").encode("ascii")


def _percent(text: str, charset: str) -> bytes:
    return "".join(f"%{byte:02X}" for byte in text.encode(charset)).encode("ascii")
