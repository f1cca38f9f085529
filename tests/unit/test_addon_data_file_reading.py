"""Reading data and demo files: rows, lines and references, without a database."""
from __future__ import annotations

import pytest

from core.addons.data_files import DataFileError, read_rows


def _file(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return name


def test_csv_rows_name_their_model_line_and_references(tmp_path):
    rel = _file(tmp_path, "data/sales.Stage.csv",
                "id,name,sequence,team_id:ref\nstage_visit,Visit,15,\n\nstage_won,Won,90,t1\n",
                encoding="utf-8-sig")  # saved by a spreadsheet, with a BOM
    first, second = read_rows(tmp_path, rel)
    assert (first.model, first.xid, first.line, first.values) == (
        "sales.Stage", "stage_visit", 2, {"name": "Visit", "sequence": "15"})
    assert first.refs == {"team_id": ""}
    assert (second.line, second.refs) == (4, {"team_id": "t1"})


def test_yaml_rows_keep_types_and_their_line(tmp_path):
    rel = _file(tmp_path, "demo/records.yaml",
                "# demo\n- model: Tier\n  id: gold\n  sequence: 5\n"
                "- model: contacts.Company\n  id: acme\n  name: Acme\n  tier_id:ref: gold\n")
    tier, company = read_rows(tmp_path, rel)
    assert (tier.line, tier.values) == (2, {"sequence": 5})
    assert (company.model, company.line, company.refs) == ("contacts.Company", 5,
                                                           {"tier_id": "gold"})


@pytest.mark.parametrize("name, text, message", [
    ("data/Tier.csv", "name,sequence\nA,1\n", "data/Tier.csv, line 1: the first row must name"),
    ("data/Tier.csv", "id,name\nx,A,extra\n", "data/Tier.csv, line 2: more values than columns"),
    ("data/x.yaml", "model: Tier\n", "data/x.yaml, line 1: must be a list of records"),
    ("data/x.yaml", "- id: a\n  name: A\n", "data/x.yaml, line 1, field model: a model name"),
    ("data/x.yaml", "- [a, b]\n", "data/x.yaml, line 1: a record must be a mapping"),
    ("data/x.yaml", "- model: Tier\n  name: [unclosed\n", "data/x.yaml: not valid YAML"),
])
def test_unreadable_files_say_file_and_line(tmp_path, name, text, message):
    _file(tmp_path, name, text)
    with pytest.raises(DataFileError) as err:
        read_rows(tmp_path, name)
    assert message in str(err.value)


def test_a_file_not_in_the_addon_is_named(tmp_path):
    with pytest.raises(DataFileError, match="data/gone.csv: file not found in the addon"):
        read_rows(tmp_path, "data/gone.csv")
