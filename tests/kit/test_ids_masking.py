"""Masking citizen IDs and mobile numbers, alone and inside free text, and the sealing rule built on it."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from xinyong.kit import ids, regions
from xinyong.kit.crypto import PersonalDataCipher, mask_field_value, seal_frame, seal_values, unseal_values
from xinyong.kit.errors import DomainError

from idsworld import make_uscc


def test_mask_ric() -> None:
    assert ids.mask_ric("32010219900101123X") == "3201**********123X"
    assert ids.mask_ric(" 32010219900101123x ") == "3201**********123X"
    assert ids.mask_ric("320102900101123") == "3201*******1123"
    assert ids.mask_ric("1234") == "****"
    assert ids.mask_ric("") == ""


def test_mask_phone() -> None:
    assert ids.mask_phone("13812345678") == "138****5678"
    assert ids.mask_phone("138-1234-5678") == "138****5678"
    assert ids.mask_phone("+8613812345678") == "+86138****5678"
    assert ids.mask_phone("12345") == "*2345"
    assert ids.mask_phone("123") == "***"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("当事人王某（320902198503129918）", "当事人王某（3209**********9918）"),
        ("ID320902198503129918号", "ID3209**********9918号"),  # glued to letters
        ("身份证320902198503129917有误", "身份证3209**********9917有误"),  # mistyped check digit
        ("号码32090219850312991x", "号码3209**********991X"),
        ("３２０９０２１９８５０３１２９９１８", "3209**********9918"),  # full-width digits
        ("电话+86 138-1234-5678。", "电话+86138****5678。"),
        ("电话 138 1234 5678", "电话 138****5678"),
        ("电话１３８１２３４５６７８", "电话138****5678"),
        ("8613812345678", "86138****5678"),
        # issue 10 item 3: written with separators and in other widths
        ("当事人3209 0219 8503 1299 18。", "当事人3209**********9918。"),
        ("证件号320902-19850312-9918，", "证件号3209**********9918，"),
        ("联系电话138.1234.5678", "联系电话138****5678"),
        ("电话(139)1234-5678转", "电话139****5678转"),
        ("号码（139）1234-5678", "号码139****5678"),
        ("３２０９ ０２１９ ８５０３ １２９９ １８", "3209**********9918"),
        ("（３２０９０２－１９８５０３１２－９９１８）", "（3209**********9918）"),
        ("电话：（+86）138-1234-5678。", "电话：+86138****5678。"),
        ("电话 0515 138 1234 5678", "电话 0515 138****5678"),
        ("320902198503129918x先生", "3209**********9918x先生"),  # a letter glued after
        ("电话13812345678X", "电话138****5678X"),
    ],
)
def test_mask_personal_text_masks_what_looks_personal(text: str, masked: str) -> None:
    assert ids.contains_personal(text)
    assert ids.mask_personal_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "91320902MA1XYW12X3",  # USCC with letters
        "913209020219850312",  # all-digit USCC: positions 7-14 are no date
        "320902000012345",  # 15-digit registration number (public)
        "3209021985031299180",  # 19 digits: not an ID
        "320902188503129918",  # born 1885: not plausible
        "320902198513129918",  # month 13
        "罚款5000000元，2026年3月16日，2026-03-16",
        "12812345678",  # not a mobile prefix
        "0515-88888888",
        "2025-09-26至2026-09-25，2025.09.26 2026/09/25",
        "（2026）苏0902执1号，(2025)苏09民终1234号",
        "罚款 1,380,000.00 元，没收 13 800 元",
        "13 45 67 89 10 11",  # a list of small numbers: groups of a phone have 3 digits or more
        "3209 0219 8503 1299 19",  # separated: the check digit must be right
        "320902 18850312 9918",  # born 1885
        "9132 0902 0219 8503 12",  # a USCC in groups
    ],
)
def test_mask_personal_text_leaves_public_numbers(text: str) -> None:
    assert not ids.contains_personal(text)
    assert ids.mask_personal_text(text) == text


def test_contains_personal_expr_agrees_with_scalar() -> None:
    texts = [
        "当事人王某（320902198503129918）",
        "ID320902198503129918",
        "３２０９０２１９８５０３１２９９１８",
        "+86 138-1234-5678",
        "91320902MA1XYW12X3",
        "913209020219850312",
        "320902000012345",
        "enc:x",
        "",
    ]
    got = pl.DataFrame({"t": texts}).select(ids.contains_personal_expr("t"))["t"].to_list()
    assert got == [ids.contains_personal(t) for t in texts]
    assert got == [True, True, True, True, False, False, False, False, False]


def test_sealing_rule_round_trips_and_agrees_with_its_vectorised_twin() -> None:
    cipher = PersonalDataCipher(bytes(range(32)), index_secret="test")
    data = {
        "facts": "当事人（ID３２０９０２１９８５０３１２９９１８）",
        "note": "enc:未按规定",
        "phone": "0515-88888888",
        "plain": "未按规定公示年度报告",
        "uscc": "913209020219850312",
        "amount": 5,
    }
    sealed = seal_values(data, cipher, always={"phone"})
    assert [k for k, v in sealed.items() if isinstance(v, str) and v.startswith("enc:")] == [
        "facts",
        "note",
        "phone",
    ]
    assert sealed["plain"] == data["plain"] and sealed["uscc"] == data["uscc"]
    assert unseal_values(sealed, cipher) == data
    frame = pl.DataFrame({k: [v] for k, v in data.items() if k != "amount"})
    bulk = seal_frame(frame, list(frame.columns), cipher, always={"phone"}).row(0, named=True)
    assert {k for k, v in bulk.items() if v.startswith("enc:")} == {"facts", "note", "phone"}
    assert unseal_values(bulk, cipher) == {k: v for k, v in data.items() if k != "amount"}

    with pytest.raises(DomainError) as caught:
        seal_values(data, None)
    assert caught.value.code == "RECORD_CIPHER_REQUIRED"


# --- property tests: valid numbers in random formats inside random text ---------------------------------

COUNTIES = sorted(r.code for r in regions.all_regions() if r.level == "county")
#: Separators as people type them (folded: space, hyphen, dot, slash, brackets), in several widths.
SEPARATORS = " -./\\()[]　－–—―−．·・／（）［］【】〔〕"
DIGIT_FORMS = [chr(0x30 + d) + chr(0xFF10 + d) + chr(0x1D7CE + d) + chr(0x1D7F6 + d) for d in range(10)]
#: Text around the numbers: no digits, separators or X at the edges; public numbers come as a whole.
EDGE = "当事人王某张三电话号码身份证违法事实罚款元号于日经查abcdefghijklmnopqrstuvwyzABC"
FILLER = EDGE + "，。：；、！？ "
PUBLIC = [
    "2025-09-26",
    "2025.09.26 - 2026.09.25",
    "罚款人民币5,000.00元",
    "罚款 13 800 元",
    "（2026）苏0902执1号",
    "91320902MA1XYW12X3",
    "0515-88888888",
    "第3209号",
]


@st.composite
def valid_rics(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(COUNTIES))
    birth = draw(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2020, 12, 31)))
    assume(regions.in_use(region, birth.year))
    first17 = region + birth.strftime("%Y%m%d") + draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    number = first17 + ids.calc_ric_check(first17)
    assert ids.check_ric(number).valid
    return number


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


def _cuts(draw: st.DrawFn, n: int, min_group: int) -> list[int]:
    """Random cut points splitting ``n`` characters into groups of at least ``min_group``."""
    cuts, pos = [], 0
    while pos + 2 * min_group <= n and draw(st.booleans()):
        pos = draw(st.integers(pos + min_group, n - min_group))
        cuts.append(pos)
    return cuts


def _write(draw: st.DrawFn, chars: str, cuts: list[int]) -> str:
    """``chars`` in random widths with a run of 1-3 separators at each cut."""
    out = []
    for k, ch in enumerate(chars):
        if k in cuts:
            out.append(draw(st.text(st.sampled_from(SEPARATORS), min_size=1, max_size=3)))
        forms = "XxＸｘ" if ch == "X" else DIGIT_FORMS[int(ch)]
        out.append(draw(st.sampled_from(forms)))
    return "".join(out)


@st.composite
def written_rics(draw: st.DrawFn) -> tuple[str, str, str]:
    """(as written, the number, its mask)."""
    number = draw(valid_rics())
    return _write(draw, number, _cuts(draw, 18, 1)), number, ids.mask_ric(number)


@st.composite
def written_mobiles(draw: st.DrawFn) -> tuple[str, str, str]:
    number = draw(mobiles)
    if draw(st.booleans()):  # (139)1234-5678
        body = "(" + _write(draw, number[:3], []) + ")" + _write(draw, number[3:], _cuts(draw, 8, 3))
    else:
        body = _write(draw, number, _cuts(draw, 11, 3))
    prefix = draw(st.sampled_from(["", "+86", "86", "＋８６", "(+86)", "+86 ", "86-"]))
    shown = ("+86" if "+" in prefix or "＋" in prefix else "86" if prefix else "") + number
    return prefix + body, number, ids.mask_phone(shown)


def _around(draw: st.DrawFn) -> str:
    """Random text: filler with public numbers inside, starting and ending on a plain character."""
    parts = [draw(st.sampled_from(EDGE))]
    for _ in range(draw(st.integers(0, 3))):
        parts.append(draw(st.text(st.sampled_from(FILLER), max_size=6)))
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from(PUBLIC)) + draw(st.sampled_from(EDGE)))
    parts.append(draw(st.sampled_from(EDGE)))
    return "".join(parts)


@st.composite
def texts_with_numbers(draw: st.DrawFn) -> tuple[str, list[str], str]:
    """(text, the numbers in it, the text as it must be masked)."""
    pieces, numbers, expected = [_around(draw)], [], []
    expected.append(pieces[0])
    for _ in range(draw(st.integers(1, 3))):
        written, number, masked = draw(st.one_of(written_rics(), written_mobiles()))
        around = _around(draw)
        pieces += [written, around]
        expected += [masked, around]
        numbers.append(number)
    return "".join(pieces), numbers, "".join(expected)


def _recoverable(text: str) -> str:
    """The digits a reader could put back together: widths folded (NFKC), separators dropped."""
    return re.sub(r"[\s\-./\\()\[\]【】〔〕–—―−·・]", "", unicodedata.normalize("NFKC", text))


@settings(max_examples=200, deadline=None)
@given(texts_with_numbers())
def test_numbers_in_any_format_inside_any_text_are_masked(case: tuple[str, list[str], str]) -> None:
    text, numbers, expected = case
    masked = ids.mask_personal_text(text)
    assert masked == expected  # the text around the numbers is kept exactly
    for number in numbers:
        assert number not in _recoverable(masked)
    assert ids.contains_personal(text)
    assert not ids.contains_personal(masked)


@st.composite
def public_numbers(draw: st.DrawFn) -> str:
    """Numbers a decision quotes that are nobody's: dates, amounts, case numbers, USCCs."""
    day = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)))
    sep = draw(st.sampled_from(["-", ".", "/", "－", "．"]))
    amount = draw(st.integers(0, 10**9))
    return draw(
        st.sampled_from(
            [
                day.strftime(f"%Y{sep}%m{sep}%d"),
                f"{day.year}年{day.month}月{day.day}日",
                f"{day:%Y-%m-%d} 至 {day.year + 3}-{day:%m-%d}",
                f"罚款{amount:,}.{amount % 100:02d}元",
                f"罚款 {amount} 元",
                f"（{day.year}）苏0902执{amount % 10000}号",
                f"苏市监罚〔{day.year}〕{amount % 1000}号",
                make_uscc(f"91320902{amount % 10**9:09d}"),
                f"{amount % 100} {amount % 97} {amount % 89} {amount % 83} {amount % 79} {amount % 73}",
            ]
        )
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(public_numbers(), st.sampled_from(EDGE)), max_size=6))
def test_public_numbers_are_left_alone(parts: list[tuple[str, str]]) -> None:
    text = "".join(number + edge for number, edge in parts)
    assert not ids.contains_personal(text)
    assert ids.mask_personal_text(text) == text


@st.composite
def mixed_texts(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(texts_with_numbers())[0]
    if kind == 1:  # near misses: a wrong check digit in groups, phones in groups of two
        number = draw(valid_rics())
        wrong = number[:17] + str((int(number[17].replace("X", "10")) + 1) % 10)
        return _around(draw) + _write(draw, wrong, _cuts(draw, 18, 1)) + _around(draw)
    if kind == 2:
        return _around(draw) + _write(draw, draw(mobiles), _cuts(draw, 11, 1)) + _around(draw)
    return draw(st.text(st.sampled_from(FILLER + "0123456789１３８+X" + SEPARATORS), max_size=60))


@settings(max_examples=100, deadline=None)
@given(st.lists(mixed_texts(), min_size=1, max_size=30))
def test_vectorised_detector_agrees_with_scalar(texts: list[str]) -> None:
    frame = pl.DataFrame({"t": [*texts, None]})
    scalar = [ids.contains_personal(t) for t in texts]
    assert frame.select(ids.contains_personal_expr("t"))["t"].to_list() == [*scalar, None]
    # the candidate pattern reads alike in Rust and Python, as written or folded, and misses nothing
    # the detector finds
    in_python = [re.search(ids.PERSONAL_TEXT_PATTERN, t) is not None for t in texts]
    in_polars = frame.select(pl.col("t").str.contains(ids.PERSONAL_TEXT_PATTERN))["t"].to_list()
    assert in_polars == [*in_python, None]
    folded = [ids.fold_text(t) for t in texts]
    assert [re.search(ids.PERSONAL_TEXT_PATTERN, f) is not None for f in folded] == in_python
    assert all(c for c, found in zip(in_python, scalar, strict=True) if found)
    assert frame.select(ids.fold_text_expr("t"))["t"].to_list() == [*folded, None]


ISSUE_EXAMPLES = [
    ("3209 0219 8503 1299 18", "3209**********9918"),
    ("320902-19850312-9918", "3209**********9918"),
    ("138.1234.5678", "138****5678"),
    ("(139)1234-5678", "139****5678"),
    ("３２０９０２１９８５０３１２９９１８", "3209**********9918"),
]


@pytest.mark.parametrize(("number", "masked"), ISSUE_EXAMPLES)
def test_every_reader_of_free_text_uses_the_one_detector(number: str, masked: str) -> None:
    """What the intake seals (one record and the bulk twin, ``ingest.protect``) and what readers are shown
    (``mask_field_value``, used by ``files.service.masked_data`` and the intake's stored copy)."""
    text = f"经查，当事人（{number}）未按规定公示"
    cipher = PersonalDataCipher(bytes(range(32)), index_secret="test")
    assert seal_values({"facts": text}, cipher)["facts"].startswith("enc:")
    frame = pl.DataFrame({"facts": [text, "未按规定公示年度报告"]})
    sealed = seal_frame(frame, ["facts"], cipher)["facts"].to_list()
    assert sealed[0].startswith("enc:") and sealed[1] == "未按规定公示年度报告"
    assert mask_field_value("facts", text, is_ric=False) == f"经查，当事人（{masked}）未按规定公示"
    is_ric = len(masked) == 18
    assert mask_field_value("ric" if is_ric else "phone", number, is_ric=is_ric) == masked
