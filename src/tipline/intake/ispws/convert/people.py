"""People and their contacts, accounts, IP capture events and devices, from a ``<report>``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from tipline.intake.ispws.convert.fields import (
    _EMAIL,
    EMAIL_MAX,
    IP_MAX,
    IP_MIN,
    MAX_PEOPLE,
    PHONE_MAX,
    PHONE_MIN,
    SHORT,
    TEXT,
    URL,
    _as_list,
    _build,
    _Fields,
)
from tipline.reports.choices import PersonRole
from tipline.reports.drafts import (
    Account,
    Address,
    DeviceId,
    EmailAddress,
    IpEvent,
    PersonDraft,
    Phone,
)


def _text_item(limit: int) -> Callable[[Any], tuple[str | None, bool]]:
    """A converter for repeated text: a value longer than ``limit`` is kept, never clipped."""

    def convert(item: Any) -> tuple[str | None, bool]:
        if not isinstance(item, str):
            return None, False
        cleaned = item.strip()
        if len(cleaned) > limit:
            return None, False
        return cleaned or None, True

    return convert


def _email_text(fields: _Fields) -> str | None:
    address = fields.text("#text", EMAIL_MAX, clip=False)
    if address is None or not _EMAIL.match(address):
        fields.release("#text")
        return None
    return address


def _phone(item: Any) -> tuple[Phone | None, bool]:
    fields = _Fields(item)
    number = fields.text("#text", PHONE_MAX, clip=False)
    calling_code = fields.text("@countryCallingCode", clip=False)
    if number and calling_code and not number.startswith("+"):
        # With its calling code a number normalises to the right country, not the default one.
        number = f"{calling_code} {number}"
    if number is None or not PHONE_MIN <= len(number) <= PHONE_MAX:
        fields.release("#text", "@countryCallingCode")
        return None, False
    phone = _build(
        Phone, number=number, type=fields.text("@type"), verified=fields.flag("@verified")
    )
    return phone, phone is not None and not fields.rest()


def _email(item: Any) -> tuple[EmailAddress | None, bool]:
    fields = _Fields(item)
    address = _email_text(fields)
    if address is None:
        return None, False  # not an address the platform can index: kept in `other`
    email = _build(
        EmailAddress, address=address, type=fields.text("@type"), verified=fields.flag("@verified")
    )
    return email, email is not None and not fields.rest()


def _bare_email(item: Any) -> tuple[str | None, bool]:
    fields = _Fields(item)
    address = _email_text(fields)
    return address, address is not None and not fields.rest()


def _address(item: Any) -> tuple[Address | None, bool]:
    fields = _Fields(item)
    values = {
        "street": fields.text("address", clip=False),
        "city": fields.text("city", clip=False),
        "postal_code": fields.text("zipCode", clip=False),
        # One state field: a US state, else the non-US one (both given: the second is kept).
        "state": fields.text("state", clip=False) or fields.text("nonUsaState", clip=False),
        "country": fields.text("country", 2, clip=False),
        "type": fields.text("@type", clip=False),
    }
    if all(v is None for v in values.values()):
        return None, not fields.rest()
    address = _build(Address, **values)
    return address, address is not None and not fields.rest()


def _ip_event(item: Any) -> tuple[IpEvent | None, bool]:
    fields = _Fields(item)
    ip = fields.text("ipAddress", IP_MAX, clip=False)
    if ip is None or len(ip) < IP_MIN:
        return None, False
    event = _build(
        IpEvent,
        ip=ip,
        port=fields.number("port", 0, 65535),
        at=fields.moment("dateTime"),
        event=fields.text("eventName"),
        possible_proxy=fields.flag("possibleProxy"),
    )
    return event, event is not None and not fields.rest()


def _device(item: Any) -> tuple[DeviceId | None, bool]:
    fields = _Fields(item)
    device = _build(
        DeviceId,
        id_type=fields.text("idType", clip=False) or "",
        id_value=fields.text("idValue", clip=False) or "",
        event=fields.text("eventName"),
        at=fields.moment("dateTime"),
    )
    return device, device is not None and not fields.rest()


def _phone_number(item: Any) -> tuple[str | None, bool]:
    fields = _Fields(item)
    number = fields.text("#text", clip=False)
    return number, not fields.rest()


# --------------------------------------------------------------------------- people

_ACCOUNT_KEYS: Final = (
    "espService",
    "espIdentifier",
    "screenName",
    "displayName",
    "profileUrl",
    "profileBio",
    "compromisedAccount",
)


def _account(fields: _Fields, platform: str | None) -> Account | None:
    """The account described by an element's ESP fields; ``platform`` if it names no service."""
    if not fields.has_any(_ACCOUNT_KEYS):
        return None
    account = _build(
        Account,
        platform=fields.text("espService", clip=False) or platform,
        esp_identifier=fields.text("espIdentifier", clip=False),
        screen_name=fields.text("screenName", clip=False),
        display_names=fields.items("displayName", _text_item(SHORT), 50),
        profile_urls=fields.items("profileUrl", _text_item(URL), 50),
        profile_bio=fields.text("profileBio", TEXT),
        compromised=fields.flag("compromisedAccount"),
    )
    if account is None:
        fields.release(*_ACCOUNT_KEYS)
    return account


def _linked_account(item: Any, platform: str | None) -> Account | None:
    # An associated account is indexed for linking; the element itself is always kept whole in
    # `other`, since its names, contacts and flags belong to the account, not to the person.
    fields = _Fields(item)
    named = _Fields(fields.peek("platform")).text("#text", clip=False)
    return _account(fields, named or platform)


def _accounts(fields: _Fields, platform: str | None) -> list[Account]:
    own = _account(fields, platform)
    linked = [
        _linked_account(item, platform) for item in _as_list(fields.peek("associatedAccount"))
    ]
    return [a for a in [own, *linked] if a is not None][:50]


def _person(
    role: PersonRole, wrapper: _Fields, person_key: str, platform: str | None
) -> PersonDraft:
    """A person from ``wrapper`` (the element with ESP fields) and its ``person_key`` child."""
    inner = _Fields(wrapper.take(person_key))
    values = {
        "first_name": inner.text("firstName"),
        "last_name": inner.text("lastName"),
        "age": inner.number("age", 0, 130),
        "date_of_birth": inner.day("dateOfBirth"),
        "phones": inner.items("phone", _phone, 50),
        "emails": inner.items("email", _email, 50),
        "addresses": inner.items("address", _address, 20),
        "accounts": _accounts(wrapper, platform),
        "ip_events": wrapper.items("ipCaptureEvent", _ip_event, 500),
        "devices": wrapper.items("deviceId", _device, 100),
        "notes": wrapper.joined("additionalInfo", TEXT),
    }
    other = wrapper.rest()
    if inner.rest():
        other[person_key] = inner.rest()
    person = _build(PersonDraft, role=role, other=other, **values)
    return person or PersonDraft(role=role, other={person_key: inner.raw, **wrapper.raw})


def _reporters(raw: Any) -> list[PersonDraft]:
    """The reporting person (with the reporter's company fields) and the contact person."""
    if raw is None:
        return []
    reporter = _Fields(raw)
    contact = reporter.take("contactPerson")
    people = [_person(PersonRole.REPORTER, reporter, "reportingPerson", None)]
    if contact is not None:
        person = _person(
            PersonRole.REPORTER, _Fields({"contactPerson": contact}), "contactPerson", None
        )
        # Both are reporters on the platform; this says which one NCMEC would call.
        person.other = {"ispws_element": "contactPerson", **person.other}
        people.append(person)
    return people


_ROLES: Final = (
    ("personOrUserReported", "personOrUserReportedPerson", PersonRole.REPORTED_PERSON),
    ("intendedRecipient", "intendedRecipientPerson", PersonRole.INTENDED_RECIPIENT),
    ("victim", "victimPerson", PersonRole.VICTIM),
)


def _person_reader(
    role: PersonRole, person_key: str, platform: str | None
) -> Callable[[Any], tuple[PersonDraft | None, bool]]:
    def convert(item: Any) -> tuple[PersonDraft | None, bool]:
        return _person(role, _Fields(item), person_key, platform), True

    return convert


def _people(report: _Fields, platform: str | None) -> list[PersonDraft]:
    people = _reporters(report.take("reporter"))
    for key, person_key, role in _ROLES:
        # Beyond the draft's limit, people stay in extra["ispws_other"] under their element.
        reader = _person_reader(role, person_key, platform)
        people += report.items(key, reader, MAX_PEOPLE - len(people))
    return people
