"""Mapping: documents to plain data and back, losslessly and in schema order."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml import etree

from tipline.intake.ispws import (
    dict_to_file_details,
    dict_to_report,
    file_details_to_dict,
    parse_and_validate,
    report_to_dict,
    serialize_document,
    validate,
)

from .support import fixture_bytes


def report_dict(name: str) -> dict[str, Any]:
    return report_to_dict(parse_and_validate(fixture_bytes(name), expected_root="report"))


def file_dict(name: str) -> dict[str, Any]:
    root = parse_and_validate(fixture_bytes(name), expected_root="fileDetails")
    return file_details_to_dict(root)


@pytest.mark.parametrize(
    "name", ["report-minimal.xml", "report-maximal.xml", "accept-iso-8859-1.xml"]
)
def test_report_round_trips_through_plain_data(name: str) -> None:
    data = report_dict(name)
    exported = serialize_document(dict_to_report(data))
    again = parse_and_validate(exported, expected_root="report")
    assert report_to_dict(again) == data


@pytest.mark.parametrize(
    "name", ["filedetails-minimal.xml", "filedetails-maximal.xml", "filedetails-potential-meme.xml"]
)
def test_file_details_round_trip_through_plain_data(name: str) -> None:
    data = file_dict(name)
    exported = serialize_document(dict_to_file_details(data), encoding="ISO-8859-1")
    again = parse_and_validate(exported, expected_root="fileDetails")
    assert file_details_to_dict(again) == data


def test_plain_data_is_json_safe() -> None:
    data = report_dict("report-maximal.xml")
    assert json.loads(json.dumps(data)) == data


def test_minimal_report_has_the_documented_shape() -> None:
    assert report_dict("report-minimal.xml") == {
        "incidentSummary": {
            "incidentType": "Child Pornography (possession, manufacture, and distribution)",
            "incidentDateTime": "2024-05-01T12:00:00Z",
        },
        "reporter": {
            "reportingPerson": {
                "firstName": "A",
                "lastName": "B",
                "email": [{"#text": "a@example.test"}],
            }
        },
    }


def test_shapes_follow_the_schema_not_the_instance() -> None:
    data = report_dict("report-maximal.xml")
    summary = data["incidentSummary"]
    assert data["batchedReport"] == {"@reason": "VIRAL_POTENTIAL_MEME"}
    assert summary["reportAnnotations"]["spam"] == ""  # <spam/>
    assert summary["reportAnnotations"]["csamSolicitation"] == "true"
    web = data["internetDetails"][0]["webPageIncident"]
    assert web["@thirdPartyHostedContent"] == "true"
    assert web["url"] == ["https://www.example.test/a", "https://cdn.example.test/b.jpg"]
    emails = data["internetDetails"][1]["emailIncident"]["emailAddress"]
    assert emails[1] == {"#text": "other@example.test"}
    assert emails[0]["@verificationDate"] == "2024-04-01T08:00:00Z"
    assert [next(iter(d)) for d in data["internetDetails"]] == [
        "webPageIncident",
        "emailIncident",
        "newsgroupIncident",
        "chatImIncident",
        "onlineGamingIncident",
        "cellPhoneIncident",
        "nonInternetIncident",
        "peer2peerIncident",
    ]
    assert data["victim"][1] == {"victimPerson": {}}
    reported = data["personOrUserReported"][0]
    assert reported["associatedAccount"][1] == {"@type": "Parent/Guardian"}
    assert reported["associatedAccount"][0]["platform"] == {
        "@thirdPartyUser": "true",
        "#text": "Example Pay",
    }


def test_xsi_attributes_are_not_data() -> None:
    data = report_dict("report-maximal.xml")
    assert not any(key.startswith("@") for key in data)


def test_all_group_keeps_document_order() -> None:
    body = fixture_bytes("report-minimal.xml").replace(
        b"</incidentType>",
        b"</incidentType><reportAnnotations><spam/><sextortion>1</sextortion></reportAnnotations>",
    )
    data = report_to_dict(parse_and_validate(body, expected_root="report"))
    assert list(data["incidentSummary"]["reportAnnotations"]) == ["spam", "sextortion"]
    annotations = dict_to_report(data).find("incidentSummary/reportAnnotations")
    assert annotations is not None
    assert [c.tag for c in annotations] == [
        "spam",
        "sextortion",
    ]


def test_export_puts_keys_back_in_schema_order() -> None:
    data = report_dict("report-maximal.xml")
    scrambled = dict(reversed(list(data.items())))
    scrambled["reporter"] = dict(reversed(list(data["reporter"].items())))
    root = dict_to_report(scrambled)
    validate(root)
    assert report_to_dict(root) == data


def test_export_accepts_python_scalars_for_convenience() -> None:
    data = file_dict("filedetails-minimal.xml")
    data.update(reportId=99, fileViewedByEsp=True, publiclyAvailable=False)
    root = dict_to_file_details(data)
    validate(root)
    assert file_details_to_dict(root)["reportId"] == "99"
    assert root.findtext("fileViewedByEsp") == "true"
    assert root.findtext("publiclyAvailable") == "false"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(colour="blue"), "report has no child element 'colour'"),
        (lambda d: d.update({"@flavour": "x"}), "report has no attribute 'flavour'"),
        (lambda d: d.update(internetDetails={"webPageIncident": {}}), "must be a list"),
        (lambda d: d.update(additionalInfo=["a"]), "must be text, not list"),
        (lambda d: d.update(incidentSummary="x"), "must be a mapping, not str"),
    ],
)
def test_export_refuses_data_the_schema_has_no_place_for(change: Any, message: str) -> None:
    data = report_dict("report-minimal.xml")
    change(data)
    with pytest.raises(ValueError, match=message):
        dict_to_report(data)


def test_reading_the_wrong_document_kind_is_refused() -> None:
    root = parse_and_validate(fixture_bytes("filedetails-minimal.xml"), expected_root="fileDetails")
    with pytest.raises(ValueError, match="expected a <report> document"):
        report_to_dict(root)


def test_reading_an_unvalidated_document_fails_loudly() -> None:
    root = etree.fromstring(b"<report><incidentSummary><bogus/></incidentSummary></report>")
    with pytest.raises(ValueError, match="<bogus> is not allowed in report/incidentSummary"):
        report_to_dict(root)


def test_text_split_by_comments_and_cdata_is_one_value() -> None:
    body = fixture_bytes("report-minimal.xml").replace(
        b"</reporter>", b"</reporter><additionalInfo>a<!-- c -->b<![CDATA[<c>]]></additionalInfo>"
    )
    data = report_to_dict(parse_and_validate(body, expected_root="report"))
    assert data["additionalInfo"] == "ab<c>"
