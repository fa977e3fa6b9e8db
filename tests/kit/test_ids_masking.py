"""Masking citizen IDs and mobile numbers, alone and inside free text, and the sealing rule built on it."""

from __future__ import annotations

import polars as pl
import pytest

from xinyong.kit import ids
from xinyong.kit.crypto import PersonalDataCipher, seal_frame, seal_values, unseal_values
from xinyong.kit.errors import DomainError


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
