"""组织机构代码 and 工商注册号 (the codes the USCC replaced), and guessing the kind of a number."""

from __future__ import annotations

import random

import pytest
from stdnum.cn import uscc as stdnum_uscc

from xinyong.kit import ids

from idsworld import make_ric, make_uscc, ric_oracle

# --- 组织机构代码 ---------------------------------------------------------------------------------------


def _org_check_reference(body: str) -> str:
    values = {ch: i for i, ch in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
    total = sum(values[ch] * w for ch, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def test_org_code_check_char_examples() -> None:
    assert ids.calc_org_check("D2143569") == "X"  # the GB 11714 textbook example
    assert ids.calc_org_check("60003734") == "1"  # from USCC 91110000600037341L
    rng = random.Random(11)
    for _ in range(300):
        body = "".join(rng.choice("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(8))
        assert ids.calc_org_check(body) == _org_check_reference(body)
    zero = next(b for b in (f"{n:08d}" for n in range(1000)) if _org_check_reference(b) == "0")
    assert ids.calc_org_check(zero) == "0"
    for bad in ["1234567", "1234567a", "123456789"]:
        with pytest.raises(ValueError):
            ids.calc_org_check(bad)


@pytest.mark.parametrize("raw", ["D2143569-X", "D2143569X", " d2143569-x ", "60003734-1", "600037341"])
def test_org_code_valid(raw: str) -> None:
    verdict = ids.check_org_code(raw)
    assert verdict.valid and verdict.kind == "org_code"
    assert verdict.value == raw.strip().upper().replace("-", "")
    assert verdict.parts["formatted"] == f"{verdict.value[:8]}-{verdict.value[8]}"


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        ("", ids.ID_EMPTY, "未填写组织机构代码"),
        ("D214356-X", ids.ID_ORG_LENGTH, "实际为8位"),
        ("D2143569--X", ids.ID_ORG_LENGTH, "12345678-9"),
        ("D2143-56X", ids.ID_ORG_BAD_CHAR, "连字符只能写在校验码之前"),
        ("D21435公9X", ids.ID_ORG_BAD_CHAR, "第7位字符“公”不允许"),
        ("D2143569-A", ids.ID_ORG_BAD_CHAR, "校验码）只能是数字或大写字母X"),
        ("D2143569-1", ids.ID_ORG_CHECK, "校验码应为“X”，实际为“1”"),
    ],
)
def test_org_code_errors(raw: str, code: str, fragment: str) -> None:
    verdict = ids.check_org_code(raw)
    assert not verdict.valid and verdict.error_code == code
    assert verdict.message is not None and fragment in verdict.message


def test_org_code_detects_every_single_digit_change() -> None:
    code = "60003734" + ids.calc_org_check("60003734")
    for pos in range(9):
        for digit in "0123456789X" if pos == 8 else "0123456789":
            if digit != code[pos]:
                mutated = code[:pos] + digit + code[pos + 1 :]
                assert ids.check_org_code(mutated).error_code == ids.ID_ORG_CHECK, mutated


# --- 工商注册号 -----------------------------------------------------------------------------------------


def _mod_11_10_reference(first14: str) -> str:
    """The textbook ISO 7064 MOD 11,10 (hybrid) procedure, independent of stdnum."""
    p = 10
    for ch in first14:
        s = (p + int(ch)) % 10 or 10
        p = (s * 2) % 11
    return str((11 - p) % 10)


def test_reg_no_check_digit_examples() -> None:
    assert ids.calc_reg_no_check("11010800000001") == "6"
    rng = random.Random(5)
    for _ in range(300):
        first14 = "".join(rng.choice("0123456789") for _ in range(14))
        assert ids.calc_reg_no_check(first14) == _mod_11_10_reference(first14)
    with pytest.raises(ValueError):
        ids.calc_reg_no_check("1101080000000")


def test_reg_no_valid_and_parts() -> None:
    verdict = ids.check_reg_no("110108 000000016")
    assert verdict.valid and verdict.value == "110108000000016"
    assert verdict.parts == {
        "authority_code": "110108",
        "region_name": "北京市海淀区",
        "category": "内资企业",
        "sequence": "00000001",
    }
    foreign = "32059440" + "000012"
    assert ids.check_reg_no(foreign + ids.calc_reg_no_check(foreign)).parts["category"] == "外资企业"


def test_reg_no_detects_every_single_digit_change() -> None:
    code = "310115400084706"[:14]
    code += ids.calc_reg_no_check(code)
    assert ids.check_reg_no(code).valid
    for pos in range(15):
        for digit in "0123456789":
            if digit != code[pos]:
                mutated = code[:pos] + digit + code[pos + 1 :]
                assert ids.check_reg_no(mutated).error_code == ids.ID_REGNO_CHECK, mutated


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        ("", ids.ID_EMPTY, "未填写工商注册号"),
        ("11010800000001", ids.ID_REGNO_LENGTH, "应为15位数字，实际为14位"),
        ("11010800000001A", ids.ID_REGNO_BAD_CHAR, "第15位字符“A”不允许"),
        ("110108000000017", ids.ID_REGNO_CHECK, "校验位（第15位）应为“6”，实际为“7”"),
    ],
)
def test_reg_no_errors(raw: str, code: str, fragment: str) -> None:
    verdict = ids.check_reg_no(raw)
    assert not verdict.valid and verdict.error_code == code
    assert verdict.message is not None and fragment in verdict.message


# --- classify -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "valid", "code"),
    [
        ("360426199101010071", "ric", True, None),
        ("360426199101010072", "ric", False, ids.ID_RIC_CHECK),
        ("91110000600037341L", "uscc", True, None),
        ("91110000600037341M", "uscc", False, ids.ID_USCC_CHECK),
        ("110108000000016", "reg_no", True, None),
        ("110108000000017", "reg_no", False, ids.ID_REGNO_CHECK),
        ("D2143569-X", "org_code", True, None),
        ("D2143569X", "org_code", True, None),
        ("D2143569-1", "org_code", False, ids.ID_ORG_CHECK),
        ("12345", "unknown", False, ids.ID_UNKNOWN_KIND),
        ("  ", "unknown", False, ids.ID_EMPTY),
    ],
)
def test_classify(raw: str, kind: str, valid: bool, code: str | None) -> None:
    verdict = ids.classify(raw)
    assert (verdict.kind, verdict.valid, verdict.error_code) == (kind, valid, code)


def test_classify_unknown_message_lists_lengths() -> None:
    verdict = ids.classify("1234567890123")
    assert verdict.message is not None
    assert "13位" in verdict.message and "18位" in verdict.message and "15位" in verdict.message


def test_classify_all_digit_code_valid_as_both_prefers_ric_and_warns() -> None:
    both = next(
        code
        for seq in range(1000)
        for code in [make_ric("110101", "19800101", f"{seq:03d}")]
        if stdnum_uscc.is_valid(code)
    )
    verdict = ids.classify(both)
    assert verdict.kind == "ric" and verdict.valid
    assert [w.code for w in verdict.warnings] == [ids.ID_AMBIGUOUS]
    all_digit_uscc = next(
        code
        for n in range(1000)
        for code in [make_uscc(f"12100000{n:09d}")]
        if code[-1].isdigit() and not ric_oracle(code)
    )
    assert ids.classify(all_digit_uscc).kind == "uscc"
