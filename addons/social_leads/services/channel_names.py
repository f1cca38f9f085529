"""How each channel is named: in stored text (a lead's name, notes), plain;
on screens, in the reader's language."""
from flask_babel import lazy_gettext as _l

from .incoming import LINKEDIN, META, WEB_FORM, WECHAT_OFFICIAL, WECOM

NAMES = {WECHAT_OFFICIAL: "WeChat", WECOM: "WeCom", META: "Meta",
         LINKEDIN: "LinkedIn", WEB_FORM: "Web form"}
LABELS = {WECHAT_OFFICIAL: _l("WeChat Official Account"), WECOM: _l("WeCom"),
          META: _l("Meta Lead Ads"), LINKEDIN: _l("LinkedIn Lead Gen"),
          WEB_FORM: _l("Web form")}


def name_of(channel: str) -> str:
    return NAMES.get(channel, channel)


def label_of(channel: str | None):
    return LABELS.get(channel, channel or "")
