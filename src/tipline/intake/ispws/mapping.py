"""Lossless conversion between validated /ispws documents and plain JSON-safe Python.

The shape is driven by the platform's XSD, so it is the same for every document:

* an element of a simple type is its text, a ``str`` (lexical form kept: ``"1"`` stays ``"1"``);
* an element whose type declares attributes is a ``dict`` with ``"@name"`` keys for the
  attributes present and, if its content is simple, the text under ``"#text"``;
* an element with child elements is a ``dict`` of its children, in document order;
* a child that may repeat (``maxOccurs > 1``) is always a ``list``, even with one item;
  an optional child that is absent has no key.

``xsi:*`` attributes are schema hints, not data, and are dropped. Exporting re-emits elements in
the schema's sequence order, so a dict read from a valid document exports to a valid document.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from lxml import etree

from .xml import schema_bytes

__all__ = [
    "dict_to_document",
    "dict_to_file_details",
    "dict_to_report",
    "document_to_dict",
    "file_details_to_dict",
    "report_to_dict",
    "serialize_document",
]

_XS: Final = "{http://www.w3.org/2001/XMLSchema}"
_GROUPS: Final = frozenset({f"{_XS}sequence", f"{_XS}choice", f"{_XS}all"})
_TEXT: Final = "#text"


@dataclass(frozen=True, eq=False)
class _Child:
    name: str
    repeated: bool
    node: _Node


@dataclass(frozen=True, eq=False)
class _Node:
    """What the schema allows inside one element: attributes, and text or child elements."""

    attributes: tuple[str, ...] = ()
    children: tuple[_Child, ...] | None = None  # None: simple content (text)
    ordered: bool = True  # False for xs:all, whose children may come in any order

    def child(self, name: str) -> _Child | None:
        """The declaration of child element ``name``, if the schema allows it here."""
        for candidate in self.children or ():
            if candidate.name == name:
                return candidate
        return None


_SIMPLE: Final = _Node()


class _SchemaModel:
    """Reads the content models of the platform's XSD (only the constructs it uses)."""

    def __init__(self, xsd: etree._Element) -> None:
        self._elements = {e.get("name"): e for e in xsd.iterchildren(f"{_XS}element")}
        self._types = {t.get("name"): t for t in xsd.iterchildren(f"{_XS}complexType")}
        self._nodes: dict[str, _Node] = {}  # each named type is built once
        self._element_nodes: dict[str, _Node] = {}  # and so is each global element

    def element(self, name: str) -> _Node:
        """The content model of global element ``name``."""
        if name not in self._element_nodes:
            declaration = self._elements.get(name)
            if declaration is None:
                raise ValueError(f"the schema declares no element {name!r}")
            self._element_nodes[name] = self._declared(declaration)
        return self._element_nodes[name]

    def _declared(self, declaration: etree._Element) -> _Node:
        ref = declaration.get("ref")
        if ref:
            return self.element(ref)
        type_name = declaration.get("type")
        if type_name:
            return self._named(type_name)
        anonymous = declaration.find(f"{_XS}complexType")
        return _SIMPLE if anonymous is None else self._complex(anonymous)

    def _named(self, type_name: str) -> _Node:
        if type_name not in self._types:
            return _SIMPLE  # xs:* built-ins and named simple types
        if type_name not in self._nodes:
            self._nodes[type_name] = self._complex(self._types[type_name])
        return self._nodes[type_name]

    def _complex(self, complex_type: etree._Element) -> _Node:
        simple = complex_type.find(f"{_XS}simpleContent")
        if simple is not None:
            return _Node(attributes=_attribute_names(simple[0]))
        derived = complex_type.find(f"{_XS}complexContent")
        holder = complex_type if derived is None else derived[0]
        base = self._named(holder.get("base", "")) if derived is not None else _Node()
        group = next((c for c in holder if c.tag in _GROUPS), None)
        own = () if group is None else tuple(self._particles(group, repeated=False))
        # A restriction restates the whole content model; an extension appends to the base's.
        inherited = base.children or () if holder.tag == f"{_XS}extension" else ()
        return _Node(
            attributes=base.attributes + _attribute_names(holder),
            children=inherited + own,
            ordered=group is None or group.tag != f"{_XS}all",
        )

    def _particles(self, group: etree._Element, *, repeated: bool) -> Iterator[_Child]:
        for item in group:
            many = repeated or item.get("maxOccurs", "1") != "1"
            if item.tag == f"{_XS}element":
                name = item.get("name") or item.get("ref") or ""
                yield _Child(name, many, self._declared(item))
            elif item.tag in _GROUPS:
                yield from self._particles(item, repeated=many)


def _attribute_names(holder: etree._Element) -> tuple[str, ...]:
    return tuple(a.get("name", "") for a in holder.iterchildren(f"{_XS}attribute"))


@cache
def _model() -> _SchemaModel:
    return _SchemaModel(etree.fromstring(schema_bytes(), etree.XMLParser(resolve_entities=False)))


# --------------------------------------------------------------------------- element -> dict


def report_to_dict(root: etree._Element) -> dict[str, Any]:
    """The content of a validated ``<report>`` as plain JSON-safe data (see module docstring)."""
    return document_to_dict(root, expected_root="report")


def file_details_to_dict(root: etree._Element) -> dict[str, Any]:
    """The content of a validated ``<fileDetails>`` as plain JSON-safe data."""
    return document_to_dict(root, expected_root="fileDetails")


def document_to_dict(root: etree._Element, *, expected_root: str) -> dict[str, Any]:
    """Convert any validated document whose root is the global element ``expected_root``."""
    if root.tag != expected_root:
        raise ValueError(f"expected a <{expected_root}> document, got {root.tag!r}")
    value = _to_value(root, _model().element(expected_root), expected_root)
    if not isinstance(value, dict):
        raise ValueError(f"<{expected_root}> is not a complex element")
    return value


def _to_value(element: etree._Element, node: _Node, path: str) -> str | dict[str, Any]:
    attributes = _read_attributes(element, node, path)
    if node.children is None:
        text = _text(element)
        return {**attributes, _TEXT: text} if node.attributes else text
    value: dict[str, Any] = attributes
    for child in element.iterchildren(etree.Element):
        _add_child(value, child, node, path)
    return value


def _add_child(value: dict[str, Any], child: etree._Element, node: _Node, path: str) -> None:
    tag = str(child.tag)
    spec = node.child(tag)
    if spec is None:
        raise ValueError(f"element <{tag}> is not allowed in {path}: validate first")
    converted = _to_value(child, spec.node, f"{path}/{tag}")
    if spec.repeated:
        value.setdefault(tag, []).append(converted)
    elif tag in value:
        raise ValueError(f"element <{tag}> occurs twice in {path}: validate first")
    else:
        value[tag] = converted


def _read_attributes(element: etree._Element, node: _Node, path: str) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for name, value in element.attrib.items():
        qname = etree.QName(name)
        if qname.namespace is not None:
            continue  # xsi:noNamespaceSchemaLocation and friends carry no report data
        if qname.localname not in node.attributes:
            raise ValueError(f"attribute {qname.localname!r} is not allowed on {path}")
        attributes[f"@{qname.localname}"] = str(value)
    return attributes


def _text(element: etree._Element) -> str:
    # Text split by a comment or processing instruction is still one value.
    return (element.text or "") + "".join(child.tail or "" for child in element)


# --------------------------------------------------------------------------- dict -> element


def dict_to_report(data: Mapping[str, Any]) -> etree._Element:
    """Build a ``<report>`` element from :func:`report_to_dict`'s shape, in schema order."""
    return dict_to_document("report", data)


def dict_to_file_details(data: Mapping[str, Any]) -> etree._Element:
    """Build a ``<fileDetails>`` element from :func:`file_details_to_dict`'s shape."""
    return dict_to_document("fileDetails", data)


def dict_to_document(root_name: str, data: Mapping[str, Any]) -> etree._Element:
    """Build the global element ``root_name`` from plain data.

    Leaves may be ``str``, or ``bool``/``int``/``float`` for convenience (booleans become
    ``true``/``false``). Unknown keys raise ``ValueError`` rather than being dropped silently.
    """
    root = etree.Element(root_name)
    _fill(root, data, _model().element(root_name), root_name)
    return root


def _fill(element: etree._Element, value: Any, node: _Node, path: str) -> None:
    if node.children is None and not node.attributes:
        _set_text(element, value, path)
        return
    mapping = _as_mapping(value, path)
    _write_attributes(element, mapping, node, path)
    if node.children is None:
        _set_text(element, mapping.get(_TEXT, ""), path)
        return
    unknown = [k for k in mapping if not k.startswith("@") and node.child(k) is None]
    if unknown:
        raise ValueError(f"{path} has no child element {unknown[0]!r}")
    names = [c.name for c in node.children] if node.ordered else list(mapping)
    for name in names:
        spec = node.child(name)
        if spec is not None and name in mapping:
            for item in _items(mapping[name], spec, f"{path}/{name}"):
                _fill(etree.SubElement(element, name), item, spec.node, f"{path}/{name}")


def _items(value: Any, spec: _Child, path: str) -> list[Any]:
    if not spec.repeated:
        return [value]
    if not isinstance(value, list):
        raise ValueError(f"{path} repeats, so its value must be a list")
    return value


def _write_attributes(
    element: etree._Element, mapping: Mapping[str, Any], node: _Node, path: str
) -> None:
    for key, value in mapping.items():
        if not key.startswith("@"):
            continue
        if key[1:] not in node.attributes:
            raise ValueError(f"{path} has no attribute {key[1:]!r}")
        element.set(key[1:], _leaf(value, f"{path}/{key}"))


def _set_text(element: etree._Element, value: Any, path: str) -> None:
    text = _leaf(value, path)
    element.text = text or None  # "" is written as <flag/>, which reads back as ""


def _as_mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{path} must be a mapping, not {type(value).__name__}")
    return value


def _leaf(value: Any, path: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ValueError(f"{path} must be text, not {type(value).__name__}")


def serialize_document(root: etree._Element, *, encoding: str = "UTF-8") -> bytes:
    """Serialise an exported document with an XML declaration, as a client would send it."""
    body = etree.tostring(root, encoding=encoding, xml_declaration=False)
    return f'<?xml version="1.0" encoding="{encoding}"?>\n'.encode("ascii") + body
