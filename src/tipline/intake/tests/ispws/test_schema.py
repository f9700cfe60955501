"""The platform's own XSD: structure, documented limits, annotation flags, fixture coverage."""

from __future__ import annotations

import pytest
from lxml import etree

from tipline.intake.ispws import mapping, report_done_response, report_response, schema_bytes
from tipline.intake.ispws.xml import load_schema

from .support import fixture_bytes

VALID_FIXTURES = [
    "report-minimal.xml",
    "report-maximal.xml",
    "filedetails-minimal.xml",
    "filedetails-maximal.xml",
    "filedetails-potential-meme.xml",
    "accept-single-quoted-declaration.xml",
    "accept-no-declaration.xml",
    "accept-xsi-attributes.xml",
    "accept-iso-8859-1.xml",
]

MINIMAL_PARTS = (
    "<report><incidentSummary><incidentType>Child Sex Trafficking</incidentType>{summary}"
    "<incidentDateTime>2024-05-01T12:00:00Z</incidentDateTime></incidentSummary>"
    "<reporter><reportingPerson>{person}</reportingPerson>{reporter}</reporter>{tail}</report>"
)


def report(
    summary: str = "",
    person: str = "<email>a@example.test</email>",
    reporter: str = "",
    tail: str = "",
) -> etree._Element:
    """A small report with pieces swapped in, parsed without our own checks."""
    text = MINIMAL_PARTS.format(summary=summary, person=person, reporter=reporter, tail=tail)
    return etree.fromstring(text.encode())


def is_valid(root: etree._Element) -> bool:
    return bool(load_schema().validate(root))


def test_schema_compiles_without_a_target_namespace() -> None:
    xsd = etree.fromstring(schema_bytes())
    assert xsd.get("targetNamespace") is None
    assert load_schema() is load_schema()  # compiled once per thread


def test_schema_declares_the_document_roots() -> None:
    xsd = etree.fromstring(schema_bytes())
    names = {e.get("name") for e in xsd.iterchildren("{*}element")}
    assert {"report", "fileDetails", "reportResponse", "reportDoneResponse"} <= names


@pytest.mark.parametrize("name", VALID_FIXTURES)
def test_valid_fixture_validates_against_the_schema(name: str) -> None:
    root = etree.fromstring(fixture_bytes(name))
    assert is_valid(root), load_schema().error_log


@pytest.mark.parametrize("value", ["", "true", "1", " true "])
def test_annotation_flag_accepts_set_values(value: str) -> None:
    flag = f"<reportAnnotations><spam>{value}</spam></reportAnnotations>"
    assert is_valid(report(summary=flag))


@pytest.mark.parametrize("value", ["false", "0", "yes", "TRUE"])
def test_annotation_flag_refuses_anything_but_set(value: str) -> None:
    flag = f"<reportAnnotations><spam>{value}</spam></reportAnnotations>"
    assert not is_valid(report(summary=flag))


def test_annotation_flags_come_in_any_order_but_only_once() -> None:
    any_order = "<reportAnnotations><spam/><sextortion/></reportAnnotations>"
    twice = "<reportAnnotations><spam/><spam/></reportAnnotations>"
    assert is_valid(report(summary=any_order))
    assert not is_valid(report(summary=twice))


@pytest.mark.parametrize("value", ["false", "0"])
def test_file_annotation_flag_refuses_false(value: str) -> None:
    body = (
        "<fileDetails><reportId>1</reportId><fileId>f</fileId>"
        f"<fileAnnotations><generativeAi>{value}</generativeAi></fileAnnotations></fileDetails>"
    )
    assert not is_valid(etree.fromstring(body))


def test_plain_potential_meme_is_an_ordinary_boolean() -> None:
    body = (
        "<fileDetails><reportId>1</reportId><fileId>f</fileId>"
        "<potentialMeme>false</potentialMeme></fileDetails>"
    )
    assert is_valid(etree.fromstring(body))


def test_file_details_take_potential_meme_or_annotations_not_both() -> None:
    body = (
        "<fileDetails><reportId>1</reportId><fileId>f</fileId><potentialMeme>true</potentialMeme>"
        "<fileAnnotations><viral/></fileAnnotations></fileDetails>"
    )
    assert not is_valid(etree.fromstring(body))


def test_reporting_person_needs_an_email_but_a_victim_does_not() -> None:
    victim = "<victim><victimPerson><firstName>V</firstName></victimPerson></victim>"
    assert not is_valid(report(person="<firstName>A</firstName>"))
    assert is_valid(report(tail=victim))


@pytest.mark.parametrize(
    ("where", "element", "limit"),
    [
        ("summary", "platform", 256),
        ("summary", "escalateToHighPriority", 3000),
        ("reporter", "legalURL", 2083),
    ],
)
def test_documented_length_limits_hold_at_the_boundary(
    where: str, element: str, limit: int
) -> None:
    def with_length(length: int) -> etree._Element:
        piece = f"<{element}>{'x' * length}</{element}>"
        return report(**{where: piece})

    assert is_valid(with_length(limit))
    assert not is_valid(with_length(limit + 1))


def test_elements_out_of_sequence_order_are_invalid() -> None:
    swapped = "<lastName>B</lastName><firstName>A</firstName><email>a@example.test</email>"
    assert not is_valid(report(person=swapped))


def test_batched_report_needs_its_reason() -> None:
    body = MINIMAL_PARTS.format(
        summary="", person="<email>a@example.test</email>", reporter="", tail=""
    )
    root = etree.fromstring(body.replace("<report>", "<report><batchedReport/>").encode())
    assert not is_valid(root)


@pytest.mark.parametrize(
    "attributes",
    [
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="tipline-ispws.xsd"',
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="urn:example https://example.test/x.xsd"',
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
    ],
)
def test_xsi_attributes_are_accepted_on_the_root(attributes: str) -> None:
    root = etree.fromstring(
        fixture_bytes("report-minimal.xml").replace(b"<report>", f"<report {attributes}>".encode())
    )
    assert is_valid(root)


def _declarations(node: mapping._Node, path: str, out: dict[tuple[int, str], str]) -> None:
    """Every child and attribute declared in the schema, keyed by the type that declares it."""
    for name in node.attributes:
        out.setdefault((id(node), f"@{name}"), f"{path}/@{name}")
    for child in node.children or ():
        if (id(node), child.name) not in out:
            out[(id(node), child.name)] = f"{path}/{child.name}"
            _declarations(child.node, f"{path}/{child.name}", out)


def _uses(element: etree._Element, node: mapping._Node, out: set[tuple[int, str]]) -> None:
    out.update((id(node), f"@{name}") for name in element.attrib if not str(name).startswith("{"))
    for child in element.iterchildren(etree.Element):
        spec = node.child(str(child.tag))
        assert spec is not None, child.tag
        out.add((id(node), spec.name))
        _uses(child, spec.node, out)


def test_maximal_fixtures_use_every_element_and_attribute_of_the_schema() -> None:
    model = mapping._model()
    declared: dict[tuple[int, str], str] = {}
    for root in ("report", "fileDetails", "reportResponse", "reportDoneResponse"):
        _declarations(model.element(root), root, declared)
    documents = [
        fixture_bytes("report-maximal.xml"),
        fixture_bytes("filedetails-maximal.xml"),
        fixture_bytes("filedetails-potential-meme.xml"),
        report_response(0, report_id=1, file_id="f" * 32, md5="0" * 32),
        report_done_response(1, ["f" * 32]),
    ]
    used: set[tuple[int, str]] = set()
    for document in documents:
        parsed = etree.fromstring(document)
        _uses(parsed, model.element(str(parsed.tag)), used)
    unused = sorted(path for key, path in declared.items() if key not in used)
    assert unused == []
    assert len(declared) == 248  # the whole tree (a change to the XSD updates this count)
