"""The flat `<xml>` documents WeChat and WeCom post and expect back.

Every message is one `<xml>` element whose children are text (CDATA or
bare numbers), per the 公众号 message pages (developers.weixin.qq.com,
"接收普通消息" / "接收事件推送" / "被动回复用户消息"). Parsed with entities and
network off: a body is untrusted until its signature is checked, and the
signed plaintext is still input.
"""
from __future__ import annotations

from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                          load_dtd=False)


class MalformedXml(ValueError):
    """The body is not WeChat's flat `<xml>` document."""


def fields(body: bytes | str) -> dict[str, str]:
    """Each child of `<xml>` by tag, its text stripped ("" when empty)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise MalformedXml(f"not XML: {exc}") from None
    if root is None or root.tag != "xml":
        raise MalformedXml(f"root element is {getattr(root, 'tag', None)!r}, not 'xml'")
    return {child.tag: (child.text or "").strip() for child in root
            if isinstance(child.tag, str)}


def document(values: dict[str, str | int]) -> str:
    """`<xml>` with strings as CDATA and ints bare, in the order given."""
    parts = []
    for name, value in values.items():
        if isinstance(value, int):
            parts.append(f"<{name}>{value}</{name}>")
        else:
            text = str(value).replace("]]>", "]]]]><![CDATA[>")
            parts.append(f"<{name}><![CDATA[{text}]]></{name}>")
    return "<xml>" + "".join(parts) + "</xml>"
