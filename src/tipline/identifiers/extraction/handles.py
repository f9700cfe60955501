"""Platform accounts: from profile URLs and from "@name" written next to a platform's name."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from . import context, phones
from .model import HANDLE, Identifier

# Registrable domain -> platform, as used in the normalised form "platform:name".
_PLATFORM_DOMAINS = {
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "fb.me": "facebook",
    "tiktok.com": "tiktok",
    "snapchat.com": "snapchat",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "telegram.dog": "telegram",
    "twitter.com": "x",
    "x.com": "x",
}
# Hosts that serve profiles: "instagram.com", "www.instagram.com", "m.facebook.com"...
_PROFILE_SUBDOMAINS = frozenset({"", "www.", "m.", "mobile.", "web.", "mbasic.", "touch."})
# What each platform allows in a user name (after lower-casing).
_NAME = {
    "instagram": re.compile(r"[a-z0-9._]{1,30}"),
    "facebook": re.compile(r"[a-z0-9.]{5,50}|\d{5,20}"),
    "tiktok": re.compile(r"[a-z0-9._]{2,24}"),
    "snapchat": re.compile(r"[a-z][a-z0-9._-]{2,14}"),
    "telegram": re.compile(r"[a-z][a-z0-9_]{3,31}"),
    "x": re.compile(r"[a-z0-9_]{1,15}"),
}
# First path segments that are site sections, not accounts.
_NOT_ACCOUNTS = {
    "instagram": {"p", "reel", "reels", "tv", "explore", "accounts", "direct", "about", "legal",
                  "developer", "web", "s", "challenge", "stories"},
    "facebook": {"groups", "pages", "events", "watch", "photo.php", "photo", "photos", "share",
                 "sharer", "sharer.php", "story.php", "permalink.php", "marketplace", "login",
                 "login.php", "help", "hashtag", "reel", "videos", "media", "gaming", "policies",
                 "privacy", "settings", "messages", "notifications", "home.php", "friends",
                 "profile.php", "people", "l.php", "dialog", "plugins", "business", "ads",
                 "search", "bookmarks", "stories", "live", "jobs", "saved", "video", "fundraisers"},
    "tiktok": set(),
    "snapchat": {"add", "t", "discover", "spotlight", "lens", "unlock", "p", "s"},
    "telegram": {"joinchat", "c", "s", "share", "addstickers", "addemoji", "proxy", "socks", "iv",
                 "login", "setlanguage", "bg", "addtheme", "confirmphone", "invoice", "boost",
                 "contact"},
    "x": {"i", "home", "search", "intent", "share", "hashtag", "explore", "settings", "messages",
          "notifications", "compose", "login", "signup", "tos", "privacy", "logout", "account",
          "download", "about", "jobs", "en", "status"},
}  # fmt: skip

# A platform's name in a sentence. "X" counts only as a capital letter standing alone.
_CUE = re.compile(
    r"\b(?:(?P<instagram>instagram|insta|ig)|(?P<facebook>facebook|fb)|(?P<tiktok>tik\s?tok)|"
    r"(?P<snapchat>snapchat|snap)|(?P<telegram>telegram|tg)|(?P<x>twitter))\b"
    r"|(?<![\w.])(?P<x_letter>(?-i:X))(?![\w.@])",
    re.IGNORECASE,
)
_CUE_WORDS = r"instagram|insta|ig|facebook|fb|tik\s?tok|snapchat|snap|telegram|tg|twitter"
_MENTION = re.compile(r"(?<![\w@./:+\-])@(?P<name>[A-Za-z0-9_][A-Za-z0-9_.\-]{0,29})")
# "IG: jane_doe", "tiktok username: janedoe", "her snapchat username is janedoe".
_LABELLED = re.compile(
    rf"\b(?P<cue>{_CUE_WORDS})\b\s*(?P<word>handle|username|user\s?name|account|acct|page|id)?"
    r"\s*(?:[:=\-\u2013]|(?:is|na|be|ni|shine|ce|bụ|bu)\b)\s*"
    r"(?P<name>[A-Za-z0-9_][A-Za-z0-9_.]{1,29})",
    re.IGNORECASE,
)
_HANDLE_LIKE = re.compile(r"[._\d]")
_LETTER = re.compile(r"[A-Za-z]")


def handle(platform: str, name: str) -> str | None:
    """The normalised "platform:name", or None when the name is impossible on that platform."""
    name = name.strip().lstrip("@").rstrip(".").lower()
    pattern = _NAME.get(platform)
    if pattern is None or not pattern.fullmatch(name):
        return None
    return f"{platform}:{name}"


def from_profile_url(url: Identifier, region: str) -> Identifier | None:
    """The account a profile URL points at (wa.me links give a phone), or None."""
    parts = urlsplit(url.normalized)
    segments = [s for s in parts.path.split("/") if s]
    domain = url.details.get("domain", "")
    if domain in ("wa.me", "whatsapp.com"):
        return _whatsapp_phone(url, segments, parts.query, region)
    platform = _PLATFORM_DOMAINS.get(domain)
    if (
        platform is None
        or url.details.get("host", "").removesuffix(domain) not in _PROFILE_SUBDOMAINS
    ):
        return None  # developers.facebook.com/programs is documentation, not an account
    name = _profile_name(platform, segments, parts.query)
    normalized = handle(platform, name) if name else None
    if normalized is None:
        return None
    details = {"platform": platform, "source": "url"}
    return Identifier(HANDLE, url.value, normalized, True, details, url.start, url.end)


def _profile_name(platform: str, segments: list[str], query: str) -> str | None:
    if not segments:
        return None
    first = segments[0]
    if platform == "facebook" and first == "profile.php":
        return parse_qs(query).get("id", [None])[0]
    if platform == "facebook" and first == "people" and len(segments) >= 3:
        return segments[2]
    if first in ("stories", "add", "s") and len(segments) >= 2 and platform != "facebook":
        return segments[1]  # instagram.com/stories/NAME, snapchat.com/add/NAME, t.me/s/NAME
    if first.startswith("@"):
        return first[1:]
    if platform == "tiktok" or first.lower() in _NOT_ACCOUNTS[platform] or first.startswith("+"):
        return None  # tiktok profiles always carry "@"; t.me/+code is an invite link
    return first


def _whatsapp_phone(
    url: Identifier, segments: list[str], query: str, region: str
) -> Identifier | None:
    """wa.me/2348031234567 and api.whatsapp.com/send?phone=... are phone numbers."""
    digits = segments[0] if url.details["domain"] == "wa.me" and segments else None
    if url.details["domain"] == "whatsapp.com" and segments[:1] == ["send"]:
        digits = parse_qs(query).get("phone", [None])[0]
    if not digits or not digits.lstrip("+").isdigit():
        return None
    phone = phones.parse_phone("+" + digits.lstrip("+"), region)
    if phone is None or not phone.valid:
        return None
    details = {**phone.details, "source": "whatsapp_link"}
    return Identifier(phone.kind, url.value, phone.normalized, True, details, url.start, url.end)


def find_mentions(text: str) -> list[Identifier]:
    """Handles written as "@name" or "IG: name" with a platform named close by."""
    found: list[Identifier] = []
    if "@" in text:
        found.extend(filter(None, (_mention(text, m) for m in _MENTION.finditer(text))))
    for match in _LABELLED.finditer(text):
        ident = _labelled(match)
        if ident and not context.overlaps(
            ident.start, ident.end, [(i.start, i.end) for i in found]
        ):
            found.append(ident)
    return found


def _mention(text: str, match: re.Match[str]) -> Identifier | None:
    name = match.group("name").rstrip(".-")
    platform = _nearest_platform(text, match.start(), match.start() + 1 + len(name))
    normalized = handle(platform, name) if platform else None
    if normalized is None:
        return None
    end = match.start() + 1 + len(name)
    details = {"platform": str(platform), "source": "mention"}
    return Identifier(
        HANDLE, text[match.start() : end], normalized, True, details, match.start(), end
    )


def _labelled(match: re.Match[str]) -> Identifier | None:
    name = match.group("name").rstrip(".")
    if not (match.group("word") or (_HANDLE_LIKE.search(name) and _LETTER.search(name))):
        return None  # "IG: she sent me...": a plain word after the platform's name is too weak
    platform = _platform_of(_CUE.fullmatch(match.group("cue")))
    normalized = handle(platform, name) if platform else None
    if normalized is None:
        return None
    start = match.start("name")
    details = {"platform": str(platform), "source": "mention"}
    return Identifier(HANDLE, name, normalized, True, details, start, start + len(name))


def _nearest_platform(text: str, start: int, end: int) -> str | None:
    """The platform named closest to the mention: before it on the line, or just after it."""
    before, after = context.left(text, start, 60), context.right(text, end, 30)
    candidates = [(len(before) - m.end(), _platform_of(m)) for m in _CUE.finditer(before)]
    candidates += [(m.start(), _platform_of(m)) for m in _CUE.finditer(after)]
    candidates = [c for c in candidates if c[1]]
    return min(candidates)[1] if candidates else None


def _platform_of(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    for name, value in match.groupdict().items():
        if value:
            return "x" if name == "x_letter" else name
    return None
