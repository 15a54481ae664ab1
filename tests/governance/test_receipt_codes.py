"""Receipt codes: four groups of five characters of the alphabet read aloud without doubt,
every character as likely as any other (100 random bits)."""

import re
from collections import Counter

from governance.receipts import RECEIPT_ALPHABET, receipt_code_new, receipt_normalise


def test_a_code_is_four_groups_of_five_characters_of_the_alphabet():
    pattern = re.compile(rf"^[{RECEIPT_ALPHABET}]{{5}}(-[{RECEIPT_ALPHABET}]{{5}}){{3}}$")
    for _ in range(200):
        code = receipt_code_new()
        assert pattern.match(code), code
        assert receipt_normalise(code.lower()) == code.replace("-", "")


def test_every_character_is_drawn_at_every_place_and_codes_do_not_repeat():
    codes = [receipt_code_new().replace("-", "") for _ in range(4000)]
    assert len(set(codes)) == len(codes)
    for place in (0, 9, 19):  # the first, a middle and the last character
        seen = Counter(code[place] for code in codes)
        assert set(seen) == set(RECEIPT_ALPHABET)
        # 125 expected per character: far from it only if the draw is biased.
        assert min(seen.values()) > 60 and max(seen.values()) < 200
