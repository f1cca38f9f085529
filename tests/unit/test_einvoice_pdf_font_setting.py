"""The font invoice PDFs are set in: Debian's fonts-wqy-microhei unless
CROSSDOCK_PDF_CJK_FONT names another; a missing file is refused naming the
setting, before anything is drawn."""
from __future__ import annotations

import pytest

from connectors.einvoice.facturx import cjk_font
from connectors.einvoice.invoice_pdf import CjkFontMissing, render
from core.config import Settings
from tests.einvoice_documents import EXPORT_CN


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
    with pytest.raises(CjkFontMissing, match=f"CROSSDOCK_PDF_CJK_FONT: {gone} is missing"):
        render(EXPORT_CN, "zh", gone)
