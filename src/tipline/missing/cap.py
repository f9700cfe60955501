"""CAP 1.2 (OASIS Common Alerting Protocol, urn:oasis:names:tc:emergency:cap:1.2) documents of a
child's public alert, and the Atom feed that lists the active ones.

What the circumstance says sets the event ("Child Abduction", with the SAME code CAE, or
"Missing Child"), urgency, severity and certainty. The area is a circle around where the child
was last seen (the point, else the LGA's centre, else the state's), as we hold no state polygons.
Times carry the Lagos offset (+01:00). Nothing of a guardian ever goes into a message, and a
Cancel carries nothing of the child.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from tipline.common.time import WAT
from tipline.missing.choices import Circumstance, MessageType
from tipline.missing.models import AlertMessage
from tipline.people.person import Place
from tipline.people.places import point_of

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_TYPE = "application/cap+xml"
SENDER = "tipline@naptip.gov.ng"
SENDER_NAME = "NAPTIP (National Agency for the Prohibition of Trafficking in Persons)"
HOTLINE = "NAPTIP hotline 627"
INSTRUCTION = (
    "If you see this child, do not approach anyone with them. Call 627 or 112 at once, "
    "or tell us on the alert's page."
)
# Circle radius (km) by how finely the last-seen place is known.
RADIUS_KM = {"point": 10, "lga": 25, "state": 150}


@dataclass(frozen=True)
class Urgency:
    """The CAP event and its urgency, severity and certainty; `same` the SAME code if any."""

    event: str
    urgency: str
    severity: str
    certainty: str
    same: str = ""


_ABDUCTION = Urgency("Child Abduction", "Immediate", "Severe", "Likely", "CAE")
URGENCIES: dict[str, Urgency] = {
    Circumstance.ABDUCTED_STRANGER: _ABDUCTION,
    Circumstance.TRAFFICKING: _ABDUCTION,
    Circumstance.ABDUCTED_FAMILY: Urgency(
        "Child Abduction", "Expected", "Moderate", "Likely", "CAE"
    ),
    Circumstance.LOST: Urgency("Missing Child", "Immediate", "Moderate", "Possible"),
    Circumstance.RUNAWAY: Urgency("Missing Child", "Expected", "Moderate", "Possible"),
    Circumstance.DISPLACED: Urgency("Missing Child", "Expected", "Moderate", "Possible"),
    Circumstance.UNKNOWN: Urgency("Missing Child", "Expected", "Moderate", "Unknown"),
}


def cap_time(value: datetime) -> str:
    """A CAP dateTime: seconds, and the Lagos offset written as +01:00 (never Z)."""
    return value.astimezone(WAT).replace(microsecond=0).isoformat()


def reference_of(message: AlertMessage) -> str:
    """This message as a CAP reference: sender,identifier,sent."""
    return f"{SENDER},{message.identifier},{cap_time(message.sent)}"


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, f"{{{CAP_NS}}}{name}")
    if text is not None:
        child.text = text
    return child


def area_of(public: dict[str, Any]) -> tuple[str, str | None]:
    """The area's description and its CAP circle ("lat,lon radius"), when placed."""
    lga, state = public.get("lga") or "", public.get("state_code") or ""
    place = Place(state=state, lga=lga, lat=public.get("lat"), lon=public.get("lon"))
    point = point_of(place)
    where = f"{lga} LGA, {public.get('state_name', state)}" if lga else public.get("state_name", "")
    if point is None:
        return where or "Nigeria", None
    radius = RADIUS_KM[point.resolution]
    return where, f"{point.lat:.4f},{point.lon:.4f} {radius}"


def _alert_info(info: etree._Element, message: AlertMessage, links: dict[str, str]) -> None:
    public = message.public or {}
    kind = URGENCIES[public.get("circumstance") or Circumstance.UNKNOWN]
    _add(info, "language", "en-NG")
    _add(info, "category", "Rescue")
    _add(info, "event", kind.event)
    _add(info, "urgency", kind.urgency)
    _add(info, "severity", kind.severity)
    _add(info, "certainty", kind.certainty)
    if kind.same:
        code = _add(info, "eventCode")
        _add(code, "valueName", "SAME")
        _add(code, "value", kind.same)
    _add(info, "senderName", SENDER_NAME)
    _add(info, "headline", f"{kind.event}: {public.get('name', '')}"[:160])
    _add(info, "description", describe(public))
    _add(info, "instruction", INSTRUCTION)
    _add(info, "web", links["page"])
    _add(info, "contact", HOTLINE)
    if public.get("photo") and links.get("photo"):
        resource = _add(info, "resource")
        _add(resource, "resourceDesc", "Photo of the child")
        _add(resource, "mimeType", "image/jpeg")
        _add(resource, "uri", links["photo"])
    _area(info, public)


def _area(info: etree._Element, public: dict[str, Any]) -> None:
    where, circle = area_of(public)
    area = _add(info, "area")
    _add(area, "areaDesc", where)
    if circle:
        _add(area, "circle", circle)


def describe(public: dict[str, Any]) -> str:
    """The child in a few plain sentences (only what the guardian agreed to publish)."""
    sex = {"f": "girl", "m": "boy"}.get(public.get("sex", ""), "child")
    age = f", about {public['age']} years old" if public.get("age") is not None else ""
    seen = public.get("last_seen_at", "")
    parts = (public.get("place"), public.get("lga"), public.get("state_name"))
    where = ", ".join(str(p) for p in parts if p)
    when = seen[:16].replace("T", " ")
    text = f"{public.get('name', 'A child')}, a {sex}{age}, was last seen {when} in {where}."
    if public.get("description"):
        text += f" {public['description']}"
    return text


def _cancel_info(info: etree._Element, links: dict[str, str]) -> None:
    _add(info, "language", "en-NG")
    _add(info, "category", "Rescue")
    _add(info, "event", "Missing Child")
    _add(info, "urgency", "Past")
    _add(info, "severity", "Minor")
    _add(info, "certainty", "Observed")
    _add(info, "senderName", SENDER_NAME)
    _add(info, "headline", "Alert cancelled: the child has been found")
    _add(info, "description", "The child has been found. Thank you to everyone who helped.")
    _add(info, "web", links["page"])
    _add(info, "contact", HOTLINE)


def cap_document(message: AlertMessage, *, links: dict[str, str]) -> bytes:
    """The message as CAP 1.2 XML (UTF-8, with its declaration). `links` holds the absolute
    URLs of the public page ("page") and of the photo ("photo")."""
    alert = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _add(alert, "identifier", message.identifier)
    _add(alert, "sender", SENDER)
    _add(alert, "sent", cap_time(message.sent))
    _add(alert, "status", "Actual")
    _add(alert, "msgType", message.msg_type)
    _add(alert, "scope", "Public")
    if message.references:
        _add(alert, "references", message.references)
    info = _add(alert, "info")
    if message.msg_type == MessageType.CANCEL:
        _cancel_info(info, links)
    else:
        _alert_info(info, message, links)
    return bytes(etree.tostring(alert, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def atom_feed(
    messages: list[AlertMessage], *, feed_url: str, updated: datetime, links: Any
) -> bytes:
    """An Atom feed of the active alerts, each entry linking its CAP document; `links(m)` gives
    a message's {"page", "cap"} URLs."""
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    for name, text in (
        ("id", feed_url),
        ("title", "NAPTIP missing-child alerts"),
        ("updated", cap_time(updated)),
    ):
        etree.SubElement(feed, f"{{{ATOM_NS}}}{name}").text = text
    author = etree.SubElement(feed, f"{{{ATOM_NS}}}author")
    etree.SubElement(author, f"{{{ATOM_NS}}}name").text = SENDER_NAME
    etree.SubElement(feed, f"{{{ATOM_NS}}}link", rel="self", href=feed_url)
    for message in messages:
        _entry(feed, message, links(message))
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _entry(feed: etree._Element, message: AlertMessage, urls: dict[str, str]) -> None:
    entry = etree.SubElement(feed, f"{{{ATOM_NS}}}entry")
    public = message.public or {}
    kind = URGENCIES[public.get("circumstance") or Circumstance.UNKNOWN]
    etree.SubElement(entry, f"{{{ATOM_NS}}}id").text = f"urn:tipline:alert:{message.identifier}"
    etree.SubElement(entry, f"{{{ATOM_NS}}}title").text = f"{kind.event}: {public.get('name', '')}"
    etree.SubElement(entry, f"{{{ATOM_NS}}}updated").text = cap_time(message.sent)
    etree.SubElement(entry, f"{{{ATOM_NS}}}summary").text = describe(public)
    etree.SubElement(entry, f"{{{ATOM_NS}}}link", rel="alternate", type=CAP_TYPE, href=urls["cap"])
    etree.SubElement(
        entry, f"{{{ATOM_NS}}}link", rel="related", type="text/html", href=urls["page"]
    )
