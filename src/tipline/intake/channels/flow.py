"""The guided report, as a pure function of the answers given so far.

Every channel keeps the list of answers (USSD receives it whole in each callback; SMS and WhatsApp
append one per message) and calls `walk` on it: the same answers always give the same position,
so a replayed or late callback can never move the flow on twice. `0` goes back one screen and
`00` to the start; anything else the screen does not expect leaves the position where it was and
says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache
from typing import Any

from tipline.intake.channels import places
from tipline.intake.channels.menus import LANGUAGES, PICKER, language_names, menu_for

USSD_LIMIT = 182  # characters on one USSD screen, "CON " or "END " included
STATE_KEYS, LGA_KEYS = 8, 7  # items a page may number: 9 is More, 8 types a place
DESCRIPTION_MAX = 1000
BACK, HOME, MORE, TYPE_PLACE = "0", "00", "9", "8"


class Step(StrEnum):
    LANGUAGE = "language"
    INCIDENT = "incident"
    AT_RISK = "at_risk"
    AGE = "age"
    STATE = "state"
    LGA = "lga"
    PLACE = "place"
    WHEN = "when"
    DESCRIPTION = "description"
    CALLBACK = "callback"
    CONFIRM = "confirm"
    DONE = "done"


@dataclass(frozen=True)
class Position:
    """Where a reporter is in the flow, and what they have answered on the way."""

    step: Step
    language: str = "en"
    page: int = 0
    answers: tuple[tuple[str, str], ...] = ()

    def answer(self, key: str) -> str:
        """One answer, or '' when not (or no longer) given."""
        return dict(self.answers).get(key, "")

    def given(self, key: str, value: str, step: Step) -> Position:
        kept = tuple((k, v) for k, v in self.answers if k != key)
        return replace(self, step=step, page=0, answers=(*kept, (key, value)))


@dataclass(frozen=True)
class Walk:
    """The position after all answers, and whether the last answer was not understood."""

    position: Position
    refused: bool = False


@dataclass(frozen=True)
class Screen:
    """What to show: the text (without CON/END), the options, and whether the flow is over."""

    text: str
    options: tuple[tuple[str, str], ...] = ()
    final: bool = False
    prompt: str = ""  # the text without the numbered options (WhatsApp shows them as buttons)


def start(language: str | None = None) -> Position:
    """The first position: the language picker, or the first question when it is known."""
    if language is None:
        return Position(step=Step.LANGUAGE)
    return Position(step=Step.INCIDENT, language=language)


def walk(inputs: Sequence[str], *, begin: Position) -> Walk:
    """Replay `inputs` from `begin`."""
    position, history, refused = begin, list[Position](), False
    for raw in inputs:
        value = raw.strip()
        refused = False
        if position.step is Step.DONE:
            break  # a sent report is final: later answers change nothing
        if value == HOME:
            position, history = begin, []
        elif value == BACK:
            position = history.pop() if history else begin
        elif (moved := advance(position, value)) is None:
            refused = True
        else:
            history.append(position)
            position = moved
    return Walk(position, refused)


def _choice(value: str, count: int) -> int | None:
    """The 0-based index of a numbered answer in 1..count, or None."""
    if value.isdigit() and 1 <= int(value) <= count:
        return int(value) - 1
    return None


def _next_after_risk(position: Position, index: int) -> Position:
    step = Step.AGE if index == 0 else Step.STATE
    moved = position.given("at_risk", ("child", "adult", "unknown")[index], step)
    return moved if index == 0 else moved.given("age", "", step)


def advance(position: Position, value: str) -> Position | None:
    """The position after one answer, or None when the answer does not fit the screen."""
    handler = _HANDLERS.get(position.step)
    return handler(position, value) if handler else None


def _language(position: Position, value: str) -> Position | None:
    index = _choice(value, len(LANGUAGES))
    if index is None:
        return None
    return replace(position, step=Step.INCIDENT, language=LANGUAGES[index])


def _incident(position: Position, value: str) -> Position | None:
    types = list(menu_for(position.language)["incidents"])
    picked = _paged(position, value, types, incident_pages(position.language))
    if picked == "more":
        return replace(position, page=position.page + 1)
    return None if picked is None else position.given("incident", types[picked], Step.AT_RISK)


def _at_risk(position: Position, value: str) -> Position | None:
    index = _choice(value, 3)
    return None if index is None else _next_after_risk(position, index)


def _age(position: Position, value: str) -> Position | None:
    index = _choice(value, 4)
    ages = ("under_6", "6_12", "13_17", "unknown")
    return None if index is None else position.given("age", ages[index], Step.STATE)


def _paged(position: Position, value: str, items: Sequence[str], pages: list[range]) -> Any:
    """The chosen item's index, "more" for the next page, or None."""
    page = pages[position.page]
    if value == MORE and position.page + 1 < len(pages):
        return "more"
    index = _choice(value, len(page))
    return None if index is None else page[index]


def _state(position: Position, value: str) -> Position | None:
    states = places.states()
    picked = _paged(position, value, [n for _, n in states], state_pages(position.language))
    if picked == "more":
        return replace(position, page=position.page + 1)
    if picked is None:
        return None
    moved = position.given("state", states[picked][0], Step.LGA)
    return moved.given("lga", "", Step.LGA).given("place", "", Step.LGA)


def _lga(position: Position, value: str) -> Position | None:
    code = position.answer("state")
    if value == TYPE_PLACE:
        return position.given("lga", "", Step.PLACE)
    names = places.lgas(code)
    picked = _paged(position, value, names, lga_pages(position.language, code))
    if picked == "more":
        return replace(position, page=position.page + 1)
    if picked is None:
        return None
    return position.given("lga", names[picked], Step.WHEN).given("place", "", Step.WHEN)


def _free_text(key: str, step: Step, limit: int) -> Any:
    def handle(position: Position, value: str) -> Position | None:
        text = " ".join(value.split())[:limit]
        return position.given(key, text, step) if text else None

    return handle


def _when(position: Position, value: str) -> Position | None:
    index = _choice(value, 5)
    whens = ("ongoing", "today", "this_week", "this_month", "earlier")
    return None if index is None else position.given("when", whens[index], Step.DESCRIPTION)


def _callback(position: Position, value: str) -> Position | None:
    index = _choice(value, 2)
    return None if index is None else position.given("callback", "yn"[index], Step.CONFIRM)


def _confirm(position: Position, value: str) -> Position | None:
    return replace(position, step=Step.DONE) if value == "1" else None


_HANDLERS: dict[Step, Any] = {
    Step.LANGUAGE: _language,
    Step.INCIDENT: _incident,
    Step.AT_RISK: _at_risk,
    Step.AGE: _age,
    Step.STATE: _state,
    Step.LGA: _lga,
    Step.PLACE: _free_text("place", Step.WHEN, 200),
    Step.WHEN: _when,
    Step.DESCRIPTION: _free_text("description", Step.CALLBACK, DESCRIPTION_MAX),
    Step.CALLBACK: _callback,
    Step.CONFIRM: _confirm,
}


# Rendering ------------------------------------------------------------------------------------


def _body(header: str, options: Sequence[tuple[str, str]], footer: str) -> str:
    lines = [header, *(f"{key} {label}" for key, label in options)]
    return "\n".join([*lines, footer] if footer else lines)


def _pack(labels: Sequence[str], fixed: int, keys: int) -> list[range]:
    """Split labels into pages that each fit one USSD screen with `fixed` characters beside."""
    pages: list[range] = []
    first = 0
    while first < len(labels):
        last, used = first, fixed
        while last < len(labels) and last - first < keys:
            cost = len(labels[last]) + 3  # "N " and the newline
            if used + cost > USSD_LIMIT - 4:  # "CON "
                break
            used, last = used + cost, last + 1
        pages.append(range(first, max(last, first + 1)))
        first = pages[-1].stop
    return pages


def _fixed(menu: dict[str, Any], title: str, extras: Sequence[str]) -> int:
    header = max(len(menu[title]), len(menu["invalid"]))
    return header + sum(len(e) + 3 for e in extras) + len(menu["footer"]) + 1


@cache
def incident_pages(language: str) -> list[range]:
    """The pages of the incident list in one language."""
    menu = menu_for(language)
    labels = list(menu["incidents"].values())
    return _pack(labels, _fixed(menu, "incident", [menu["more"]]), STATE_KEYS)


@cache
def state_pages(language: str) -> list[range]:
    """The pages of the state list in one language."""
    menu = menu_for(language)
    labels = [name for _, name in places.states()]
    return _pack(labels, _fixed(menu, "state", [menu["more"]]), STATE_KEYS)


@cache
def lga_pages(language: str, state_code: str) -> list[range]:
    """The pages of a state's LGAs in one language."""
    menu = menu_for(language)
    extras = [menu["type_place"], menu["more"]]
    return _pack(places.lgas(state_code), _fixed(menu, "lga", extras), LGA_KEYS)


def _numbered(labels: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple((str(i), label) for i, label in enumerate(labels, start=1))


def _page_options(
    labels: Sequence[str], pages: list[range], page: int, extra: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    shown = _numbered([labels[i] for i in pages[page]])
    more = ((MORE, "{more}"),) if page + 1 < len(pages) else ()
    return (*shown, *extra, *more)


def _options(position: Position, menu: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    step = position.step
    if step is Step.LANGUAGE:
        return _numbered(language_names())
    if step is Step.INCIDENT:
        labels = list(menu["incidents"].values())
        return _page_options(labels, incident_pages(position.language), position.page, ())
    if step is Step.STATE:
        names = [n for _, n in places.states()]
        return _page_options(names, state_pages(position.language), position.page, ())
    if step is Step.LGA:
        code = position.answer("state")
        pages = lga_pages(position.language, code)
        return _page_options(places.lgas(code), pages, position.page, ((TYPE_PLACE, "{type}"),))
    lists = {
        Step.AT_RISK: menu["at_risk_options"],
        Step.AGE: menu["age_options"],
        Step.WHEN: menu["when_options"],
        Step.CALLBACK: [menu["yes"], menu["no"]],
        Step.CONFIRM: [menu["send"]],
    }
    return _numbered(lists.get(step, []))


def render(result: Walk, *, receipt: tuple[str, str] | None = None) -> Screen:
    """The screen for a position. `receipt` (reference, code) fills the closing screen."""
    position = result.position
    menu = menu_for(position.language)
    if position.step is Step.DONE:
        reference, code = receipt or ("", "")
        text = menu["done"].format(reference=reference, code=code)
        return Screen(text, final=True, prompt=text)
    words = {"{more}": menu["more"], "{type}": menu["type_place"]}
    options = tuple((k, words.get(v, v)) for k, v in _options(position, menu))
    title = PICKER if position.step is Step.LANGUAGE else menu[position.step.value]
    footer = "" if position == start(None) else menu["footer"]
    header = title
    if result.refused:
        header = f"{menu['invalid']}\n{title}"
        if len(_body(header, options, footer)) > USSD_LIMIT - 4:
            header = menu["invalid"]
    prompt = f"{header}\n{footer}" if footer else header
    return Screen(_body(header, options, footer), options, prompt=prompt)


def answers_of(position: Position) -> dict[str, str]:
    """The answers as a plain dict, for the draft."""
    return dict(position.answers)
