"""The social leads demo: a web form and a few leads from each channel, as
the platforms would bring them (loaded by services/load_demo.py).

Times are hours before the demo's anchor (when its web form was created), so
a second run rebuilds the same platform ids and adds nothing."""
from __future__ import annotations

WEB_FORM = {
    "name": "官网询价 / Website enquiry", "campaign": "官网询价 2026", "need_email": True,
    "consent_zh": "我同意 Crossdock 按照隐私政策处理我提交的个人信息，用于回复本次询价。",
    "consent_en": "I agree that Crossdock processes the personal data I submit under its "
                  "privacy policy, to answer this enquiry.",
    "thanks_zh": "谢谢！我们的销售顾问会在一个工作日内联系您。",
    "thanks_en": "Thank you! A sales adviser will contact you within one working day.",
}
# name, company, e-mail, phone, message, language, the page with its UTM parameters
# (submitted when the demo runs: a page token is good for a day)
WEB_FORM_SUBMISSIONS = (
    ("陈思远", "苏州恒通冷链物流有限公司", "chen.siyuan@hengtong-coldchain.example.cn",
     "+86 139 1234 5601", "想了解温度传感器和网关的批量价格，大约 300 个点位。", "zh",
     "https://www.crossdock.example/zh/cold-chain?utm_source=baidu&utm_medium=cpc"
     "&utm_campaign=coldchain_q4&utm_term=冷链温度监控"),
    ("Emma Fischer", "Rhein Logistik GmbH", "emma.fischer@rhein-logistik.example.de",
     "+49 221 555 0142", "Could you send a quote for 20 handheld scanners with the WMS "
     "licence?", "en", "https://www.crossdock.example/en/warehouse?utm_source=newsletter"
     "&utm_medium=email&utm_campaign=wms_launch&utm_content=hero_button"),
)
WEB_FORM_ADDRESSES = ("198.51.100.21", "203.0.113.48")  # documentation ranges

WECHAT_APP_ID = "wxd3m0c1a55e7f0b2a"  # the demo 公众号 (no backend needed to show it)
WECHAT_ACCOUNT = "gh_3a9c1e7d5b42"
WECHAT_OPTIONS = {"scenes": {"cemat2026": "CeMAT ASIA 2026 亚洲物流展"}}
# openid, QR scene followed from, hours ago; then its text messages (MsgId, text, hours ago)
WECHAT_FOLLOWERS = (
    ("oDemo_9fK2mQ7xLp1sV4tR8wYb3nZc", "cemat2026", 52,
     (("24876512390011", "你好，我在展会上看到你们的手持终端，想要一份报价单。", 51),
      ("24876512390027", "我们仓库有 40 个拣货员，能安排下周演示吗？", 50))),
    ("oDemo_2hT6vN0cXq8jR5uE1aWm7sLk", "cemat2026", 49, ()),
)

WECOM_CORP_ID = "ww8d3c6a1f0e2b4d71"
WECOM_EMPLOYEE = "demo.li"  # our user's login (contacts demo: 李娜, an owner when active)
# external userid, name, company, position, unionid, remark, mobile, 联系我 state, hours ago
WECOM_CONTACTS = (
    ("wmDemo0A1b2C3d4E5f6G7h8I9j0KaLb", "刘洋", "宁波港联供应链管理有限公司", "仓储经理",
     "oUnionDemo_liuyang", "展会名片，关注 WMS", "13905741288", "cemat2026", 48),
    ("wmDemo1Z9y8X7w6V5u4T3s2R1q0PoNm", "Daniel Wong", "Harbour Freight Solutions Ltd",
     "Operations Director", "", "HK distributor, wants samples", "+852 9123 4567",
     "", 20),
)

META_FORM_ID = "1029384756019283"
META_OPTIONS = {"forms": {META_FORM_ID: {"warehouse_size": "message"}}}
META_CAMPAIGN_ID = "120210987654321098"
# leadgen id, {field: values}, ad id, hours ago
META_LEADS = (
    ("834729105562301", {"full_name": ["黄静怡"], "email": ["huang.jingyi@lingxi-retail.example.cn"],
                         "phone_number": ["+8613761234589"], "company_name": ["上海灵犀零售有限公司"],
                         "warehouse_size": ["5,000-10,000 m²"], "city": ["上海"]},
     "120210987654400011", 26),
    ("834729105562377", {"full_name": ["Sofia Rossi"], "work_email": ["s.rossi@alpitrasporti.example.it"],
                         "company_name": ["Alpi Trasporti S.r.l."], "country": ["IT"],
                         "warehouse_size": ["2,000-5,000 m²"]},
     "120210987654400012", 12),
)

LINKEDIN_FORM = "urn:li:versionedLeadGenForm:(urn:li:leadGenForm:6904512,2)"
LINKEDIN_FORM_ID = "6904512"
LINKEDIN_OPTIONS = {"forms": {LINKEDIN_FORM_ID: {"1": "name", "2": "email", "3": "company",
                                                 "4": "country"}}}
# response id, {questionId: answer}, hours ago
LINKEDIN_LEADS = (
    ("7f3e9a21-5c4b-4d8e-9a10-2b6c8d4e1f07-3",
     {1: "James Carter", 2: "james.carter@northbridge-dist.example.com",
      3: "Northbridge Distribution Inc.", 4: "US", 5: "Head of Supply Chain"}, 40),
    ("7f3e9a21-5c4b-4d8e-9a10-2b6c8d4e1f07-9",
     {1: "周子涵", 2: "zihan.zhou@yuntu-tech.example.cn", 3: "深圳云途科技有限公司", 4: "CN",
      5: "采购总监"}, 8),
)
