"""Proof codes (audit.proofs): a code verifies its content, not an altered one, not under another key."""

from __future__ import annotations

from xinyong.audit import proofs
from xinyong.audit.keys import derive_key

CONTENT = {
    "decision": "prohibit",
    "measures": ["CJ-001"],
    "data_version": {"catalog": "2024-local-3", "audit_seq": 7},
}


def test_code_is_short_and_typeable() -> None:
    code = proofs.sign("screening", "SC-20260316-000001", CONTENT)
    assert len(code) == 23 and code.count("-") == 3
    assert all(ch.isupper() or ch.isdigit() or ch == "-" for ch in code)


def test_verify_ok_also_as_typed() -> None:
    code = proofs.sign("screening", "SC-20260316-000001", CONTENT)
    assert proofs.verify("screening", "SC-20260316-000001", CONTENT, code)
    assert proofs.verify("screening", "SC-20260316-000001", CONTENT, code.lower().replace("-", " "))
    # Key order of the content does not matter (canonical JSON).
    reordered = dict(reversed(list(CONTENT.items())))
    assert proofs.verify("screening", "SC-20260316-000001", reordered, code)


def test_verify_fails_when_content_number_or_kind_altered() -> None:
    code = proofs.sign("screening", "SC-20260316-000001", CONTENT)
    assert not proofs.verify("screening", "SC-20260316-000001", CONTENT | {"decision": "pass"}, code)
    assert not proofs.verify("screening", "SC-20260316-000002", CONTENT, code)
    assert not proofs.verify("report", "SC-20260316-000001", CONTENT, code)
    assert not proofs.verify("screening", "SC-20260316-000001", CONTENT, "")


def test_verify_fails_under_another_key() -> None:
    mine, theirs = proofs.derive_proof_key("secret-a"), proofs.derive_proof_key("secret-b")
    code = proofs.sign("screening", "SC-1", CONTENT, key=mine)
    assert proofs.verify("screening", "SC-1", CONTENT, code, key=mine)
    assert not proofs.verify("screening", "SC-1", CONTENT, code, key=theirs)
    assert code != proofs.sign("screening", "SC-1", CONTENT, key=theirs)


def test_proof_key_is_not_the_chain_key() -> None:
    assert proofs.derive_proof_key("s") != derive_key("s").secret
