"""Hash matchers: exact digests (MD5/SHA-1/SHA-256) and PDQ within a Hamming distance.

Public API::

    from tipline.media.matcher import PDQIndex, DigestIndex

    pdq = PDQIndex.build(hashes, ids)            # (n, 32) uint8, or 64-hex strings / raw bytes
    pdq.save("/var/lib/tipline/pdq")             # new version on disk, CURRENT swapped
    pdq = PDQIndex.load("/var/lib/tipline/pdq")  # memory-mapped: workers share the pages
    pdq.query("ab12...", threshold=31)           # -> [(id, distance), ...] nearest first
    pdq.query_many([...])                        # -> one such list per hash
    pdq.add(42, "ab12...")                       # searchable at once (side segment)
    pdq.disable(42); pdq.enable(42)              # stops / resumes matching at once
    pdq.merge()                                  # side segment -> new base version (background)

    md5 = DigestIndex.build(digests, ids, width=16)   # same save/load/add/disable/merge
    md5.lookup(bytes.fromhex("..."))             # -> [id, ...]

The on-disk format (versioned directory, manifest + .npy arrays) is described in ``store``.
"""

from tipline.media.matcher.codec import MIN_MATCH_QUALITY, PDQ_MATCH_THRESHOLD
from tipline.media.matcher.digest_index import DIGEST_WIDTHS, DigestIndex
from tipline.media.matcher.pdq_index import MAX_THRESHOLD, Match, PDQIndex
from tipline.media.matcher.store import IndexFormatError, current_version, prune

__all__ = [
    "DIGEST_WIDTHS",
    "MAX_THRESHOLD",
    "MIN_MATCH_QUALITY",
    "PDQ_MATCH_THRESHOLD",
    "DigestIndex",
    "IndexFormatError",
    "Match",
    "PDQIndex",
    "current_version",
    "prune",
]
