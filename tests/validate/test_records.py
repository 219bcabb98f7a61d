"""One record at a time: keys, aliases, types, enums, dates."""

from __future__ import annotations

from safeledger.model import Hazard
from safeledger.validate.records import validate_record
from tests.validate.conftest import ENTERPRISE, HAZARD, raw


def codes(diags):
    return [(d.code, d.field) for d in diags]


def test_valid_hazard_with_english_keys():
    model, diags, _ = validate_record(raw("hazards", HAZARD))
    assert isinstance(model, Hazard) and diags == []


def test_chinese_keys_are_aliases():
    data = {
        "隐患编号": "H1",
        "发现日期": "2025年3月1日",
        "责任单位": "E001",
        "隐患部位": "车库",
        "隐患类别": "消防设施",
        "隐患等级": "重大事故隐患",
        "隐患描述": "x",
        "整改责任人": "李强",
        "整改期限": "2025/3/15",
    }
    model, diags, written = validate_record(raw("hazards", data))
    assert diags == []
    assert model.level == "major" and str(model.deadline) == "2025-03-15"
    assert written[("deadline",)] == ("整改期限",)


def test_both_languages_for_one_field_is_an_error():
    _, diags, _ = validate_record(raw("hazards", {**HAZARD, "整改期限": "2025-03-20"}))
    assert ("both-languages", "deadline") in codes(diags)


def test_unknown_key_warns_with_suggestion():
    _, diags, _ = validate_record(raw("hazards", {**HAZARD, "dedline": "2025-01-01"}))
    (d,) = diags
    assert d.code == "unknown-key" and d.severity == "warning" and "deadline" in d.message
    assert d.anchor.path == ("dedline",)


def test_date_in_unaccepted_form_names_accepted_forms():
    _, diags, _ = validate_record(raw("hazards", {**HAZARD, "deadline": "3/15/2025"}))
    (d,) = diags
    assert d.code == "date-format" and d.field == "deadline"
    assert "2025年3月1日" in d.message and "3/15/2025" in d.message


def test_enum_synonyms_and_bad_value():
    model, diags, _ = validate_record(
        raw("hazards", {**HAZARD, "level": "一般隐患", "source": "四不两直"})
    )
    assert diags == [] and model.source == "unannounced"
    _, diags, _ = validate_record(raw("hazards", {**HAZARD, "level": "critical"}))
    assert codes(diags) == [("enum", "level")] and "重大事故隐患" in diags[0].message


def test_missing_required_fields_are_each_reported():
    data = {k: v for k, v in HAZARD.items() if k not in ("deadline", "responsible")}
    _, diags, _ = validate_record(raw("hazards", data))
    assert sorted(codes(diags)) == [("required", "deadline"), ("required", "responsible")]


def test_empty_value_counts_as_missing():
    _, diags, _ = validate_record(raw("hazards", {**HAZARD, "location": "  "}))
    assert codes(diags) == [("required", "location")]


def test_booleans_only_in_boolean_fields():
    model, diags, _ = validate_record(
        raw("enterprises", {**ENTERPRISE, "high_risk": "是", "name": "yes"})
    )
    assert diags == [] and model.high_risk is True and model.name == "yes"
    _, diags, _ = validate_record(raw("enterprises", {**ENTERPRISE, "high_risk": "maybe"}))
    assert codes(diags) == [("type", "high_risk")]


def test_activity_kind_selects_fields():
    act = {
        "id": "A1",
        "kind": "演练",
        "date": "2025-05-01",
        "enterprise": "E001",
        "drill_type": "疏散逃生",
        "participants": "45",
    }
    model, diags, _ = validate_record(raw("activities", act))
    assert diags == [] and model.participants == 45
    _, diags, _ = validate_record(raw("activities", {**act, "kind": "party"}))
    assert codes(diags) == [("enum", "kind")]
    _, diags, _ = validate_record(raw("activities", {**act, "facility": "hydrant"}))
    assert codes(diags) == [("unknown-key", None)]


def test_nested_extension_errors_point_inside_the_list():
    data = {**HAZARD, "延期": [{"延期至": "2025-04-01", "批准日期": "soon"}]}
    _, diags, _ = validate_record(raw("hazards", data))
    (d,) = diags
    assert d.code == "date-format" and d.anchor.path == ("延期", 0, "批准日期")


def test_csv_column_for_extensions_and_positions():
    rec = raw("hazards", {**HAZARD, "延期至": "2025-04-30", "deadline": "bad"})
    rec.key_columns = {k: i + 1 for i, k in enumerate(rec.data)}
    rec.line = 7
    model, diags, _ = validate_record(rec)
    (d,) = diags
    assert (d.line, d.column) == (7, rec.key_columns["deadline"])
    rec.data["deadline"] = "2025-03-15"
    model, diags, _ = validate_record(rec)
    assert diags == [] and model.extensions[0].to.isoformat() == "2025-04-30"


def test_csv_lists_split_on_semicolons():
    model, _, _ = validate_record(
        raw("hazards", {**HAZARD, "evidence": "evidence/a.jpg; evidence/b.jpg"})
    )
    assert model.evidence == ["evidence/a.jpg", "evidence/b.jpg"]


def test_numbers_become_text_in_text_fields():
    model, diags, _ = validate_record(
        raw("hazards", {**HAZARD, "id": 20250001, "responsible": 123})
    )
    assert diags == [] and model.id == "20250001"
