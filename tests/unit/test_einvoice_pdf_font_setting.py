"""The font invoice PDFs are set in: Debian's fonts-wqy-microhei unless
CROSSDOCK_PDF_CJK_FONT names another; a missing file, or a character the font
cannot draw, is refused naming the setting (fpdf2 would drop the character)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from connectors.einvoice.facturx import cjk_font
from connectors.einvoice.invoice_pdf import FontUnusable, render
from connectors.einvoice.settings import DEBIAN_CJK_FONT
from core.config import Settings
from tests.einvoice_documents import EXPORT_CN, line


def settings(tmp_path):
    return Settings.from_env(instance_path=tmp_path, secret_key="k")


def test_the_default_is_debians_font(tmp_path, monkeypatch):
    monkeypatch.delenv("CROSSDOCK_PDF_CJK_FONT", raising=False)
    assert str(cjk_font(settings(tmp_path))) == "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def test_the_environment_names_another(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSDOCK_PDF_CJK_FONT", str(tmp_path / "NotoSansSC.ttf"))
    assert cjk_font(settings(tmp_path)) == tmp_path / "NotoSansSC.ttf"


def test_a_missing_font_is_refused_naming_the_setting(tmp_path):
    gone = tmp_path / "gone.ttc"
    with pytest.raises(FontUnusable, match=f"CROSSDOCK_PDF_CJK_FONT: {gone} is missing"):
        render(EXPORT_CN, "zh", gone)


def test_a_character_the_font_lacks_is_refused_naming_it():
    arabic = replace(EXPORT_CN, lines=(line(1, "小部件 مصر", 1, "10.00", "G", "0"),))
    with pytest.raises(FontUnusable, match="CROSSDOCK_PDF_CJK_FONT: .* has no glyph for 'مصر'"):
        render(arabic, "en", DEBIAN_CJK_FONT)
