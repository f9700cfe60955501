"""Words as the index sees them: folded, split, and turned into a safe query for each database.

The same `fold` and `words` run on a report's text when it is indexed and on what an analyst
types, so both sides agree on what a word is whatever the database. Only letters and digits
survive `words`, so nothing an analyst types can reach the database's query syntax (`"`, `*`,
`NEAR(`, `-`, `:`, `&`, `!` are all separators).
"""

from __future__ import annotations

import re
import unicodedata

# A word: letters and digits of any script. Underscores, punctuation and emoji separate words.
WORD = re.compile(r"[^\W_]+")
# Longer "words" are noise (base64, hashes) that nobody types, and PostgreSQL drops them anyway.
MAX_WORD = 100
# Limits on a query: what anyone searches for fits well inside them.
MAX_QUERY_WORDS = 12
# Words this long or longer match as prefixes ("abuj" finds "Abuja"); shorter ones match whole,
# so that "ni" or "dem" does not drag in every longer word that starts with it (which is also
# what makes common short prefixes slow on PostgreSQL's GIN index).
PREFIX_FROM = 4


def fold(text: str) -> str:
    """Lower-case and without accents or tone marks: "Ọmọ́" -> "omo", "ƊAN" -> "ɗan".

    Analysts type Yoruba and Igbo with and without tone marks, so the index keeps neither.
    """
    # Case first: "İ".casefold() brings back a combining dot that the next step removes.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare)


def words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    return [w for w in WORD.findall(fold(text)) if len(w) <= MAX_WORD]


def document_text(*parts: str) -> str:
    """The text that goes into the index for a report: its folded words, space-separated."""
    return " ".join(w for part in parts for w in words(part))


def query_words(text: str) -> list[str]:
    """The distinct words of a query, in order, at most `MAX_QUERY_WORDS`."""
    return list(dict.fromkeys(words(text)))[:MAX_QUERY_WORDS]


def tsquery(terms: list[str]) -> str:
    """PostgreSQL `to_tsquery` text: every word, long ones as prefixes ("kano:* & dem")."""
    return " & ".join(f"{t}:*" if len(t) >= PREFIX_FROM else t for t in terms)


def fts5_query(terms: list[str]) -> str:
    """SQLite FTS5 MATCH text: every word quoted, long ones as prefixes ('"kano"* "dem"')."""
    return " ".join(f'"{t}"*' if len(t) >= PREFIX_FROM else f'"{t}"' for t in terms)


def matches(word: str, terms: list[str]) -> bool:
    """Whether one folded word of a report matches any query word, by the rules above."""
    return any(word.startswith(t) if len(t) >= PREFIX_FROM else word == t for t in terms)
