"""Build corpus.jsonl: labelled snippets in the five languages for the extraction tests.

Run from the repository root and commit the output:

    .venv/bin/python src/tipline/identifiers/tests/data/build_corpus.py

Every person, number, account, address and wallet here is invented: phones are random digits
after real prefixes, domains are example.* or reserved .test names, wallets are checksummed
random bytes. The labels are computed here, not by the extractor: this file carries its own
NUBAN check digit, Base58Check, bech32/bech32m and EIP-55 code, so the corpus can catch the
extractor's mistakes instead of copying them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

from Crypto.Hash import keccak

OUT = Path(__file__).with_name("corpus.jsonl")
Label = tuple[str, str]

# ---------------------------------------------------------------- independent checksum code

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def b58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number, out = int.from_bytes(data, "big"), ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def _polymod(values: list[int]) -> int:
    gens = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= gens[i] if (top >> i) & 1 else 0
    return chk


def segwit(version: int, program: bytes, *, bech32m: bool) -> str:
    acc = bits = 0
    data = [version]
    for byte in program:
        acc, bits = (acc << 8) | byte, bits + 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    hrp = [ord(c) >> 5 for c in "bc"] + [0] + [ord(c) & 31 for c in "bc"]
    mod = _polymod(hrp + data + [0] * 6) ^ (0x2BC830A3 if bech32m else 1)
    return "bc1" + "".join(_BECH[d] for d in data + [(mod >> 5 * (5 - i)) & 31 for i in range(6)])


def eip55(raw: bytes) -> str:
    hexed = raw.hex()
    digest = keccak.new(digest_bits=256, data=hexed.encode()).hexdigest()
    return "0x" + "".join(
        c.upper() if int(d, 16) >= 8 else c for c, d in zip(hexed, digest[:40], strict=True)
    )


def nuban_check(code: str, serial: str) -> int:
    padded = ("000" + code if len(code) == 3 else "9" + code) + serial
    weights = [3, 7, 3] * 5
    return (10 - sum(int(d) * w for d, w in zip(padded, weights, strict=True)) % 10) % 10


# ---------------------------------------------------------------- invented values

# (local prefix, ...) that phonenumbers knows as Nigerian mobile ranges.
MOBILE_PREFIXES = [
    "0803",
    "0806",
    "0703",
    "0706",
    "0813",
    "0816",
    "0810",
    "0814",
    "0903",
    "0906",
    "0913",
    "0805",
    "0807",
    "0705",
    "0815",
    "0811",
    "0905",
    "0802",
    "0808",
    "0708",
    "0812",
    "0701",
    "0902",
    "0901",
    "0907",
    "0809",
    "0818",
    "0817",
    "0909",
    "0908",
]
# Bank name as people write it -> CBN code.
BANKS = {
    "GTBank": "058",
    "GTB": "058",
    "Access Bank": "044",
    "Access": "044",
    "First Bank": "011",
    "UBA": "033",
    "Zenith Bank": "057",
    "Zenith": "057",
    "Kuda": "50211",
    "Moniepoint": "50515",
    "Fidelity Bank": "070",
    "Sterling Bank": "232",
    "Wema Bank": "035",
    "FCMB": "214",
    "Union Bank": "032",
    "Polaris Bank": "076",
    "Stanbic IBTC": "221",
    "Ecobank": "050",
    "Keystone Bank": "082",
    "Kuda Bank": "50211",
    "FairMoney": "51318",
}
WORDS = [
    "sweet",
    "boss",
    "naija",
    "lagos",
    "baby",
    "king",
    "queen",
    "deals",
    "cash",
    "jobs",
    "abroad",
    "model",
    "real",
    "official",
    "kano",
    "abuja",
    "enugu",
    "oga",
    "star",
    "gold",
    "prince",
    "vibes",
    "plug",
    "agent",
    "travel",
    "fine",
    "girl",
    "money",
]
FIRST = [
    "amina",
    "tunde",
    "chioma",
    "musa",
    "bola",
    "emeka",
    "ngozi",
    "yusuf",
    "funmi",
    "ike",
    "hauwa",
    "segun",
    "ada",
    "sani",
    "kemi",
    "obinna",
    "zainab",
    "dayo",
    "uche",
    "fatima",
]
DOMAINS = [
    "example.com",
    "example.org",
    "example.net",
    "mail.example",
    "jobs.example.com",
    "inbox.test",
    "travel-agency.test",
    "example.com.ng",
]
SITES = [
    "example.com",
    "example.org",
    "example.net",
    "example.com.ng",
    "agency.test",
    "visa-jobs.test",
    "deals.example",
]


class Values:
    """Random invented identifiers, each with the label the extractor should produce."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.bank = "GTBank"

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def phone(self) -> tuple[str, list[Label]]:
        prefix, rest = self.rng.choice(MOBILE_PREFIXES), self.digits(7)
        e164 = "+234" + prefix[1:] + rest
        national = prefix[1:] + rest
        forms = [
            f"{prefix} {rest[:3]} {rest[3:]}",
            f"{prefix}{rest}",
            f"+234 {prefix[1:]} {rest[:3]} {rest[3:]}",
            f"234-{prefix[1:]}-{rest[:3]}-{rest[3:]}",
            f"({prefix}) {rest[:3]}-{rest[3:]}",
            e164,
            f"{prefix}-{rest[:3]}-{rest[3:]}",
            f"+234{national}",
            f"{prefix[:3]} {prefix[3]}{rest[:3]} {rest[3:]}",
        ]
        return self.rng.choice(forms), [("phone", e164)]

    def pick_bank(self) -> tuple[str, list[Label]]:
        self.bank = self.rng.choice(sorted(BANKS))
        return self.bank, []

    def acct(self) -> tuple[str, list[Label]]:
        code = BANKS[self.bank]
        serial = self.digits(9)
        account = serial + str(nuban_check(code, serial))
        return account, [("bank_account", f"nuban:{code}:{account}")]

    def acct_bad(self) -> tuple[str, list[Label]]:
        code = BANKS[self.bank]
        serial = self.digits(9)
        return serial + str((nuban_check(code, serial) + 1 + self.rng.randrange(9)) % 10), []

    def acct_nobank(self) -> tuple[str, list[Label]]:
        serial = self.digits(9)
        return serial + str(nuban_check("058", serial)), []

    def email(self) -> tuple[str, list[Label]]:
        local = self.rng.choice(FIRST) + self.rng.choice([".", "_", ""]) + self.rng.choice(WORDS)
        local += self.digits(self.rng.choice([0, 2, 4]))
        domain = self.rng.choice(DOMAINS)
        written = domain.upper() if self.rng.random() < 0.1 else domain
        return f"{local}@{written}", [("email", f"{local}@{domain}")]

    def url(self) -> tuple[str, list[Label]]:
        site = self.rng.choice(SITES)
        path = self.rng.choice(["", "/", "/apply", "/jobs/europe", "/offer?id=" + self.digits(4)])
        forms = [
            (f"https://{site}{path}", f"https://{site}{path or '/'}"),
            (f"http://www.{site}{path}", f"http://www.{site}{path or '/'}"),
            (f"www.{site}{path}", f"http://www.{site}{path or '/'}"),
            (f"hxxps://{site.replace('.', '[.]')}{path}", f"https://{site}{path or '/'}"),
            (f"HTTPS://{site.upper()}{path}", f"https://{site}{path or '/'}"),
        ]
        if not site.endswith((".test", ".example")):  # reserved names need a scheme or www.
            forms.append((f"{site}{path}", f"http://{site}{path or '/'}"))
        written, canonical = self.rng.choice(forms)
        return written, [("url", canonical)]

    def name(self, platform: str) -> str:
        sep = "" if platform == "facebook" else self.rng.choice(["_", "", "."])
        if platform in ("telegram", "x"):
            sep = self.rng.choice(["_", ""])
        name = self.rng.choice(WORDS) + sep + self.rng.choice(WORDS) + self.digits(2)
        if platform == "facebook":
            name = self.rng.choice(FIRST) + "." + self.rng.choice(WORDS) + self.digits(1)
        limit = {"x": 15, "snapchat": 15}.get(platform, 24)
        return name[:limit].rstrip("._")

    def mention(self, platform: str) -> tuple[str, list[Label]]:
        name = self.name(platform)
        written = name.capitalize() if self.rng.random() < 0.2 else name
        return "@" + written, [("handle", f"{platform}:{name}")]

    def profile(self) -> tuple[str, list[Label]]:
        platform = self.rng.choice(["instagram", "tiktok", "telegram", "x", "snapchat", "facebook"])
        name = self.name(platform)
        url = {
            "instagram": f"https://www.instagram.com/{name}/",
            "tiktok": f"https://www.tiktok.com/@{name}",
            "telegram": f"https://t.me/{name}",
            "x": f"https://x.com/{name}",
            "snapchat": f"https://www.snapchat.com/add/{name}",
            "facebook": f"https://web.facebook.com/{name}",
        }[platform]
        return url, [("url", url), ("handle", f"{platform}:{name}")]

    def fb_id(self) -> tuple[str, list[Label]]:
        ident = "1000" + self.digits(11)
        url = f"https://www.facebook.com/profile.php?id={ident}"
        return url, [("url", url), ("handle", f"facebook:{ident}")]

    def wa(self) -> tuple[str, list[Label]]:
        prefix, rest = self.rng.choice(MOBILE_PREFIXES), self.digits(7)
        digits = "234" + prefix[1:] + rest
        url = f"https://wa.me/{digits}"
        return url, [("url", url), ("phone", "+" + digits)]

    def ip(self) -> tuple[str, list[Label]]:
        first = self.rng.choice(["41.58", "102.89", "105.112", "197.210", "129.205", "154.113"])
        address = f"{first}.{self.rng.randrange(1, 255)}.{self.rng.randrange(1, 255)}"
        if self.rng.random() < 0.25:
            a, b, c = (self.rng.randrange(1, 65535) for _ in range(3))
            address = f"2c0f:f7a8:{a:x}:{b:x}::{c:x}"
            written = f"[{address}]:{self.rng.randrange(1024, 65535)}"
        else:
            written = f"{address}:{self.rng.randrange(1024, 65535)}"
        when = self.rng.choice(
            [" at 2024-05-01 12:00 UTC", " on 01/05/2024 13:05 WAT", "", " 2024-03-09T22:41:07Z"]
        )
        return written + when, [("ip", address)]

    def btc(self) -> tuple[str, list[Label]]:
        kind = self.rng.randrange(4)
        body = self.rng.randbytes(32 if kind == 3 else 20)
        if kind < 2:
            address = b58check(bytes([0x00 if kind == 0 else 0x05]) + body)
            return address, [("wallet", address)]
        address = segwit(kind - 2, body, bech32m=kind == 3)
        return address, [("wallet", address)]

    def eth(self) -> tuple[str, list[Label]]:
        raw = self.rng.randbytes(20)
        written = eip55(raw) if self.rng.random() < 0.7 else "0x" + raw.hex()
        return written, [("wallet", "0x" + raw.hex())]

    def trx(self) -> tuple[str, list[Label]]:
        address = b58check(b"\x41" + self.rng.randbytes(20))
        return address, [("wallet", address)]

    def bad_wallet(self) -> tuple[str, list[Label]]:
        """A real-looking wallet with one character changed: its checksum no longer holds."""
        good = self.rng.choice([self.btc, self.trx])()[0]
        alphabet = _BECH if good.startswith("bc1") else _B58
        pos = self.rng.randrange(5, len(good) - 1)
        swap = self.rng.choice([c for c in alphabet if c != good[pos]])
        return good[:pos] + swap + good[pos + 1 :], []

    def bad_eth(self) -> tuple[str, list[Label]]:
        """EIP-55 address with one letter's case flipped: mixed case, wrong checksum."""
        good = eip55(self.rng.randbytes(20))
        letters = [i for i, c in enumerate(good) if c.isalpha() and i > 1]
        pos = self.rng.choice(letters)
        return good[:pos] + good[pos].swapcase() + good[pos + 1 :], []

    def order(self) -> tuple[str, list[Label]]:
        return self.rng.choice(MOBILE_PREFIXES) + self.digits(7), []

    def imei(self) -> tuple[str, list[Label]]:
        body = "35" + self.digits(12)
        total = sum(sum(divmod(int(d) * (2 if i % 2 else 1), 10)) for i, d in enumerate(body))
        return body + str((10 - total % 10) % 10), []

    def price(self) -> tuple[str, list[Label]]:
        amount = f"{self.rng.randrange(5, 900) * 10_000:,}"
        return self.rng.choice([f"₦{amount}", f"N{amount}", f"{amount} naira"]), []

    def date(self) -> tuple[str, list[Label]]:
        day, month = self.rng.randrange(1, 29), self.rng.randrange(1, 13)
        return self.rng.choice([f"{day:02d}/{month:02d}/2024", f"2024-{month:02d}-{day:02d}"]), []

    def time(self) -> tuple[str, list[Label]]:
        return f"{self.rng.randrange(0, 24):02d}:{self.rng.randrange(0, 60):02d}", []

    def bvn(self) -> tuple[str, list[Label]]:
        return "22" + self.digits(9), []

    def nin(self) -> tuple[str, list[Label]]:
        return self.digits(11), []

    def ref(self) -> tuple[str, list[Label]]:
        return self.rng.choice(MOBILE_PREFIXES) + self.digits(7), []


def slots(values: Values) -> dict[str, Callable[[], tuple[str, list[Label]]]]:
    """Template placeholder -> value maker."""
    return {
        "phone": values.phone,
        "phone2": values.phone,
        "bank": values.pick_bank,
        "acct": values.acct,
        "acct_bad": values.acct_bad,
        "acct_nobank": values.acct_nobank,
        "email": values.email,
        "url": values.url,
        "profile": values.profile,
        "fb_id": values.fb_id,
        "wa": values.wa,
        "ip": values.ip,
        "btc": values.btc,
        "eth": values.eth,
        "trx": values.trx,
        "bad_wallet": values.bad_wallet,
        "bad_eth": values.bad_eth,
        "order": values.order,
        "imei": values.imei,
        "price": values.price,
        "date": values.date,
        "time": values.time,
        "bvn": values.bvn,
        "nin": values.nin,
        "ref": values.ref,
        **{
            f"h_{p}": functools.partial(values.mention, p)
            for p in ("instagram", "tiktok", "snapchat", "telegram", "x")
        },
    }


# ---------------------------------------------------------------- templates per language

TEMPLATES: dict[str, list[str]] = {
    "en": [
        "A man using {phone} keeps sending messages to my 14-year-old daughter. Please help.",
        "He told her to pay into {bank} account {acct} or he would share the pictures.",
        "The recruiter's Instagram is {h_instagram} and he promised the girls jobs in Dubai.",
        "They posted the advert on {url} and asked girls to apply by email to {email}.",
        "Suspect's profile: {profile}",
        "Contact them on WhatsApp: {wa}",
        "The account logged in from {ip}.",
        "He demanded bitcoin to {btc} or USDT (TRC20) to {trx}.",
        "Send ETH to {eth}, he said, or the video goes online.",
        "My son got messages from {phone} and from {phone2} last night.",
        "Her TikTok is {h_tiktok}; the man commented from {profile}",
        "Account name: Chinedu Okafor, {bank} {acct}.",
        "Telegram {h_telegram} runs a channel that sells pictures of minors.",
        "Order {order} was delivered on {date}; it is not related.",
        "The phone's IMEI is {imei} and it cost {price}.",
        "On {date} at {time} he came to the house again.",
        "The 'agent' asked for my BVN {bvn} and NIN {nin}.",
        "Transfer reference {ref} for {price}, paid on {date}.",
        "He wrote {acct_nobank} on the paper but did not say which bank.",
        "He sent {bank} {acct_bad} but the app said the number is wrong.",
        "The wallet he gave, {bad_wallet}, looks fake, and so does {bad_eth}.",
        "Snapchat {h_snapchat}, and on X he is {h_x}.",
        "His Facebook: {fb_id}",
    ],
    "ha": [
        "Wani mutum yana amfani da lambar waya {phone} yana tura wa 'yata sakonni.",
        "Ya ce a tura kudi zuwa asusun {bank} mai lamba {acct}.",
        "Shafinsa na Instagram shine {h_instagram}, yana yaudarar 'yan mata da aiki a waje.",
        "Sun saka talla a {url} kuma suna karbar sakonni ta {email}.",
        "Ga shafinsa: {profile}",
        "Ku same shi a WhatsApp: {wa}",
        "Asusun ya shiga daga {ip}.",
        "Yana neman a biya shi bitcoin zuwa {btc}.",
        "Ya bukaci USDT zuwa {trx} ko ETH zuwa {eth}.",
        "Don Allah a taimaka, ya kira ni daga {phone} da kuma {phone2}.",
        "A TikTok sunansa {h_tiktok}.",
        "Sunan asusun: Musa Bello, {bank} {acct}.",
        "A Telegram yana amfani da {h_telegram}.",
        "Lambar oda {order} ce, ba ta waya ba.",
        "Farashin wayar {price}, IMEI {imei}.",
        "Ya zo ranar {date} da karfe {time}.",
        "Sun nemi BVN {bvn} da NIN {nin} na.",
        "Ya rubuta lamba {acct_nobank} amma bai fadi banki ba.",
        "Ya ba da {bank} {acct_bad} amma lambar ba daidai ba ce.",
        "Adireshin da ya bayar {bad_wallet} bai yi daidai ba.",
        "A shafin X sunansa {h_x}.",
        "Shafinsa na Facebook: {fb_id}",
    ],
    "yo": [
        "Ọkùnrin kan ń lo nọ́mbà {phone} láti fi ọ̀rọ̀ ránṣẹ́ sí ọmọbìnrin mi.",
        "Ó ní kí a fi owó ránṣẹ́ sí àkáǹtì {bank} {acct}.",
        "Orúkọ rẹ̀ lórí Instagram ni {h_instagram}, ó ń ṣèlérí iṣẹ́ ní òkè òkun.",
        "Wọ́n gbé ìpolówó sí {url}, wọ́n sì ní kí a kọ lẹ́tà sí {email}.",
        "Èyí ni ojú-ìwé rẹ̀: {profile}",
        "Ẹ bá a sọ̀rọ̀ lórí WhatsApp: {wa}",
        "Àkáǹtì náà wọlé láti {ip}.",
        "Ó ní kí n san bitcoin sí {btc}.",
        "Ó béèrè USDT sí {trx} tàbí ETH sí {eth}.",
        "Ẹ jọ̀wọ́ ẹ ràn wá lọ́wọ́, ó pè mí láti {phone} àti {phone2}.",
        "Lórí TikTok, orúkọ rẹ̀ ni {h_tiktok}.",
        "Orúkọ àkáǹtì: Adébáyọ̀ Ògúnlẹ́yẹ, {bank} {acct}.",
        "Lórí Telegram ó ń lo {h_telegram}.",
        "Nọ́mbà order {order} ni, kì í ṣe fóònù.",
        "Iye owó fóònù náà jẹ́ {price}, IMEI rẹ̀ ni {imei}.",
        "Ó dé ní {date} ní agogo {time}.",
        "Wọ́n béèrè BVN {bvn} àti NIN {nin} mi.",
        "Ó kọ {acct_nobank} ṣùgbọ́n kò sọ báǹkì.",
        "Ó fún wa ní {bank} {acct_bad} ṣùgbọ́n nọ́mbà náà kò tọ̀nà.",
        "Àdírẹ́sì owó tí ó fún wa, {bad_eth}, kò tọ̀nà.",
        "Lórí X, orúkọ rẹ̀ ni {h_x}.",
        "Facebook rẹ̀: {fb_id}",
    ],
    "ig": [
        "Otu nwoke na-eji nọmba {phone} ezigara nwa m nwaanyị ozi.",
        "O kwuru ka anyị zipu ego na akaụntụ {bank} {acct}.",
        "Aha ya na Instagram bụ {h_instagram}, ọ na-ekwe nkwa ọrụ na mba ọzọ.",
        "Ha tinyere mgbasa ozi na {url} ma sị ka e degara ha na {email}.",
        "Nke a bụ peeji ya: {profile}",
        "Kpọtụrụ ya na WhatsApp: {wa}",
        "Akaụntụ ahụ banyere site na {ip}.",
        "Ọ sị ka m kwụọ bitcoin na {btc}.",
        "Ọ chọrọ USDT na {trx} ma ọ bụ ETH na {eth}.",
        "Biko nyere anyị aka, ọ kpọrọ m site na {phone} na {phone2}.",
        "Na TikTok, aha ya bụ {h_tiktok}.",
        "Aha akaụntụ: Chidi Nwosu, {bank} {acct}.",
        "Na Telegram ọ na-eji {h_telegram}.",
        "Nke a bụ nọmba order {order}, ọ bụghị ekwentị.",
        "Ọnụahịa ekwentị ahụ bụ {price}, IMEI ya bụ {imei}.",
        "Ọ bịara na {date} n'elekere {time}.",
        "Ha rịọrọ BVN {bvn} na NIN {nin} m.",
        "O dere {acct_nobank} mana o kwughị aha ụlọ akụ.",
        "O nyere {bank} {acct_bad} mana nọmba ahụ ezighi ezi.",
        "Adreesị o nyere, {bad_wallet}, abụghị nke ziri ezi.",
        "Na Snapchat aha ya bụ {h_snapchat}.",
        "Facebook ya: {fb_id}",
    ],
    "pcm": [
        "One man dey use {phone} dey send message give my pikin.",
        "Im talk say make we send the money enter {bank} {acct}.",
        "Na im IG be {h_instagram}, e dey promise babes work for abroad.",
        "Dem post the advert for {url}, say make people email {email}.",
        "See im page here: {profile}",
        "Chat am for WhatsApp: {wa}",
        "The account login from {ip}.",
        "Im say make I pay bitcoin enter {btc}.",
        "Im want USDT for {trx} or ETH for {eth}.",
        "Abeg help us, the guy call me with {phone} and {phone2}.",
        "For TikTok, im name na {h_tiktok}.",
        "Account name: Emeka Johnson, {bank} {acct}.",
        "For Telegram im dey use {h_telegram}.",
        "Na order number {order} be dat, no be phone.",
        "Dem sell the phone {price}, IMEI na {imei}.",
        "Im come on {date} around {time}.",
        "Dem ask for my BVN {bvn} and NIN {nin}.",
        "Im write {acct_nobank} but e no talk which bank.",
        "Im send {bank} {acct_bad} but the app talk say the number no correct.",
        "The wallet wey im give, {bad_wallet}, na wayo.",
        "Snap: {h_snapchat}",
        "Im Facebook na {fb_id}",
    ],
}
ROUNDS = 3  # each template filled this many times with fresh values

# Hand-written cases: the tricky ones a template would not produce. (text, lang, labels)
FIXED: list[tuple[str, str, list[Label]]] = [
    # phones: every common way of writing one number, and numbers that must not be phones
    ("Call 0803 123 4567 or 0803-123-4567, same line.", "en", [("phone", "+2348031234567")]),
    (
        "Numbers: 08031234567/08051234567",
        "en",
        [("phone", "+2348031234567"), ("phone", "+2348051234567")],
    ),
    ("Reach me on +234 (0) 803 123 4567.", "en", [("phone", "+2348031234567")]),
    ("tel:+2348031234567", "en", [("phone", "+2348031234567")]),
    ("UK number +44 7911 123456 also calls her.", "en", [("phone", "+447911123456")]),
    ("ID08031234567 was printed on the card.", "en", []),
    ("Tracking no: 08031234567", "en", []),
    (
        "0803 123 4567 0805 123 4567",
        "en",
        [("phone", "+2348031234567"), ("phone", "+2348051234567")],
    ),
    ("Toll free 0800 123 4567", "en", [("phone", "+2348001234567")]),
    ("Call 112 or 199 in an emergency.", "en", []),
    (
        "Nọ́mbà fóònù rẹ̀ ni 0803 123 4567, ó sì ní Instagram @ayo_lagos",
        "yo",
        [("phone", "+2348031234567"), ("handle", "instagram:ayo_lagos")],
    ),
    (
        "Ọ na-eji ekwentị 0706 222 3333 na TikTok @obi.enugu",
        "ig",
        [("phone", "+2347062223333"), ("handle", "tiktok:obi.enugu")],
    ),
    ("An haife shi a 2008, kuma yana da shekara 16.", "ha", []),
    ("Ọjọ́ 12/05/2024 ní agogo 10:30 ni ó ṣẹlẹ̀.", "yo", []),
    ("Dem collect ₦150,000 for transport, receipt no 08031234567", "pcm", []),
    ("Nọmba IMEI ya bụ 356938035643809", "ig", []),
    ("Na 4 girls dem carry go, each one pay N500,000 for 2023.", "pcm", []),
    ("Invoice #2348031234567 is unpaid.", "en", []),
    ("Meter number 08031234567, please recharge.", "en", []),
    ("IMEI: 356938035643809", "en", []),
    ("His number is 0803 123 456, one digit is missing.", "en", []),
    ("He paid ₦5,000,000 in 2023 and N250,000 in 2024.", "en", []),
    ("It happened between 1999 and 2024, around 14:05:33.", "en", []),
    ("Dates: 2024-05-01, 01/05/2024 and 12.05.2024.", "en", []),
    ("Session ID 0803123456789012 failed.", "en", []),
    ("Receipt 080-3123-4567 attached.", "en", []),
    ("Ref: 08031234567", "en", []),
    ("Oda: 08031234567", "ha", []),
    ("Lambar waya ta: 0706 555 1234", "ha", [("phone", "+2347065551234")]),
    ("Ẹ pè é lórí 0905 444 3322.", "yo", [("phone", "+2349054443322")]),
    ("Kpọọ ya na 0812 000 1122.", "ig", [("phone", "+2348120001122")]),
    ("Abeg call 0907 321 6540 sharp sharp.", "pcm", [("phone", "+2349073216540")]),
    # bank accounts: context decides
    ("Pay to 0123456788 (Zenith) today.", "en", [("bank_account", "nuban:057:0123456788")]),
    ("GTB acct no 0000014579", "en", []),  # valid for First Bank (011), not for GTB (058)
    ("UBA: 0123456785 is GTB's check digit, not UBA's", "en", []),
    ("Send am to GTB 0123456785 sharp", "pcm", [("bank_account", "nuban:058:0123456785")]),
    (
        "Bank: Guaranty Trust Bank\nAccount number: 0123456785\nName: Ade Bello",
        "en",
        [("bank_account", "nuban:058:0123456785")],
    ),
    ("Kuda 1000000016 ni àkáǹtì rẹ̀", "yo", [("bank_account", "nuban:50211:1000000016")]),
    ("First Bank 0000014579", "en", [("bank_account", "nuban:011:0000014579")]),
    ("Opay 8031234567 na im account.", "pcm", []),  # OPay has no CBN code to check against
    ("Account 0123456788, he never said the bank.", "en", []),
    ("Zenith is a big bank. Many, many, many, many words and lines later: 0123456788", "en", []),
    ("BVN 22123456789, Access Bank branch.", "en", []),
    ("GTB 0123 456 785", "pcm", [("bank_account", "nuban:058:0123456785")]),
    (
        "He sent ₦20,000 to my Access account 0123456784 via transfer reference 1234567890",
        "en",
        [("bank_account", "nuban:044:0123456784")],
    ),
    (
        "Lambar asusun Zenith: 0123456788, sunan Hauwa Sani",
        "ha",
        [("bank_account", "nuban:057:0123456788")],
    ),
    # URLs and defanged forms
    (
        "Site: hxxp://bad-site[.]example[.]com/login",
        "en",
        [("url", "http://bad-site.example.com/login")],
    ),
    ("na fastcash dot example dot com", "pcm", [("url", "http://fastcash.example.com/")]),
    ("Go to shop(dot)example(dot)org/new now", "en", [("url", "http://shop.example.org/new")]),
    ("(see https://www.example.org/a_(b))", "en", [("url", "https://www.example.org/a_(b)")]),
    ("HTTPS://WWW.EXAMPLE.COM:443/Path?Q=1", "en", [("url", "https://www.example.com/Path?Q=1")]),
    ("http://example.com:8080/x", "en", [("url", "http://example.com:8080/x")]),
    ("He left.It was late, e.g. 5 p.m. and i.e. Mr.Adeyemi came.", "en", []),
    ("Files: photo.zip, report.pdf, notes.md and Node.js.", "en", []),
    ("Back in the dot com era.", "en", []),
    ("the last dot in the list, and I went home.today", "en", []),
    ("see agency.test and deals.example without a scheme", "en", []),
    (
        "Visit http://41.58.1.2/login now",
        "en",
        [("url", "http://41.58.1.2/login"), ("ip", "41.58.1.2")],
    ),
    (
        "x.com/home and twitter.com/i/web",
        "en",
        [("url", "http://x.com/home"), ("url", "http://twitter.com/i/web")],
    ),
    ("https://vm.tiktok.com/ZMabc123/", "en", [("url", "https://vm.tiktok.com/ZMabc123/")]),
    # emails
    ("mail jane(at)example(dot)com", "en", [("email", "jane@example.com")]),
    ("yaro [at] example [dot] org", "ha", [("email", "yaro@example.org")]),
    ("Email: Bola.Ade@Example.COM.", "yo", [("email", "Bola.Ade@example.com")]),
    ("Not an email: admin@localhost or @home", "en", []),
    ("08031234567@example.com is his address", "en", [("email", "08031234567@example.com")]),
    # handles
    ("My daughter met @sweetboy on a game", "en", []),  # no platform named
    (
        "IG: lagos_baby22 and tiktok username is kanoqueen",
        "en",
        [("handle", "instagram:lagos_baby22"), ("handle", "tiktok:kanoqueen")],
    ),
    ("follow @Jane.Doe on insta.", "en", [("handle", "instagram:jane.doe")]),
    (
        "Instagram post https://www.instagram.com/p/C0dE123/ not a profile",
        "en",
        [("url", "https://www.instagram.com/p/C0dE123/")],
    ),
    (
        "Group link https://t.me/joinchat/AbCdEf123 and t.me/+AbCdEf",
        "en",
        [("url", "https://t.me/joinchat/AbCdEf123"), ("url", "http://t.me/+AbCdEf")],
    ),
    (
        "https://api.whatsapp.com/send?phone=2348031234567",
        "en",
        [("url", "https://api.whatsapp.com/send?phone=2348031234567"), ("phone", "+2348031234567")],
    ),
    (
        "twitter.com/naija_plug01/status/1234567890",
        "en",
        [
            ("url", "http://twitter.com/naija_plug01/status/1234567890"),
            ("handle", "x:naija_plug01"),
        ],
    ),
    ("Email him at agent@example.com, not @agent.", "en", [("email", "agent@example.com")]),
    ("IG handle - jane.doe", "en", [("handle", "instagram:jane.doe")]),
    ("my snap na jane.doe22", "pcm", [("handle", "snapchat:jane.doe22")]),
    # IPs
    ("version 1.2.3.4 of the app", "en", []),
    ("1.2.3.4.5 is not an address, nor is 999.1.1.1", "en", []),
    (
        "Router 192.168.0.1 and loopback 127.0.0.1",
        "en",
        [("ip", "192.168.0.1"), ("ip", "127.0.0.1")],
    ),
    ("MAC 00:1A:2B:3C:4D:5E at 12:30:45", "en", []),
    ("IP 41[.]58[.]1[.]2 port 443", "en", [("ip", "41.58.1.2")]),
    (
        "v6 2001:db8::1 and [2c0f:f7a8::5]:443",
        "en",
        [("ip", "2001:db8::1"), ("ip", "2c0f:f7a8::5")],
    ),
    ("IP: 105.112.45.67 (port 51234) at 10:32 WAT on 3 May 2024", "en", [("ip", "105.112.45.67")]),
    ("Android 10.0.1.2 update", "en", []),
    # wallets: reference vectors from the BIPs and EIP-55
    (
        "btc 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        "en",
        [("wallet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2")],
    ),
    (
        "p2sh 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
        "en",
        [("wallet", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")],
    ),
    (
        "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
        "en",
        [("wallet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")],
    ),
    (
        "taproot bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "en",
        [("wallet", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0")],
    ),
    (
        "v1 with old checksum bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
        "en",
        [],
    ),
    ("v0 with new checksum bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "en", []),
    ("testnet tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "en", []),
    (
        "eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "en",
        [("wallet", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")],
    ),
    ("eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD (one letter wrong)", "en", []),
    ("tx 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed5aaeb6053f3e94c9b9a09f33", "en", []),
]


def fill(template: str, values: Values) -> tuple[str, list[Label]]:
    makers = slots(values)
    labels: list[Label] = []

    def one(match: re.Match[str]) -> str:
        text, found = makers[match.group(1)]()
        labels.extend(found)
        return text

    return re.sub(r"\{(\w+)\}", one, template), labels


def build() -> list[dict[str, object]]:
    values = Values(random.Random(20240501))
    rows = []
    for lang, templates in TEMPLATES.items():
        for _ in range(ROUNDS):
            for template in templates:
                text, labels = fill(template, values)
                rows.append(_row(text, lang, labels))
    rows += [_row(text, lang, labels) for text, lang, labels in FIXED]
    return rows


def _row(text: str, lang: str, labels: list[Label]) -> dict[str, object]:
    unique = sorted(set(labels))
    return {
        "text": text,
        "lang": lang,
        "expected": [{"kind": kind, "normalized": norm} for kind, norm in unique],
    }


def main() -> None:
    rows = build()
    with OUT.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} snippets to {OUT}")


if __name__ == "__main__":
    main()
