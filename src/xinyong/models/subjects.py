"""Credit subjects (信用主体) and their identifiers."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, LargeBinary, String, UniqueConstraint, func, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.models.base import Base


class SubjectKind(enum.StrEnum):
    legal_person = "legal_person"
    unincorporated_org = "unincorporated_org"
    individual_business = "individual_business"
    natural_person = "natural_person"
    government_body = "government_body"
    public_institution = "public_institution"


SUBJECT_KIND_ZH: dict[SubjectKind, str] = {
    SubjectKind.legal_person: "法人",
    SubjectKind.unincorporated_org: "非法人组织",
    SubjectKind.individual_business: "个体工商户",
    SubjectKind.natural_person: "自然人",
    SubjectKind.government_body: "政府机构",
    SubjectKind.public_institution: "事业单位",
}


class IdScheme(enum.StrEnum):
    """Kinds of identifier a subject may be found by."""

    uscc = "uscc"  # 统一社会信用代码
    org_code = "org_code"  # 组织机构代码 (9 characters; also positions 9-17 of the USCC)
    reg_no = "reg_no"  # 工商注册号 (15 digits, before 2015)
    ric_hash = "ric_hash"  # keyed hash of a citizen ID; the ID itself is only stored encrypted


class Subject(Base):
    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SubjectKind] = mapped_column(Enum(SubjectKind, native_enum=False, length=30))
    name: Mapped[str] = mapped_column(String(300))
    #: kit.names.normalize_name(name): what name matching compares.
    name_norm: Mapped[str] = mapped_column(String(300), index=True)
    #: Unified social credit code; NULL for natural persons.
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    #: Citizen ID, AES-GCM encrypted (kit.crypto); NULL for organisations.
    ric_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: Phone number, encrypted the same way.
    phone_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    registered_on: Mapped[dt.date | None]
    #: False for an organisation first seen in a submission that is not the registry's (待核验): not shown on
    #: the public portal until a registration record for it arrives or the credit office confirms it.
    verified: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())

    identifiers: Mapped[list[SubjectIdentifier]] = relationship(
        back_populates="subject", lazy="raise", cascade="all, delete-orphan"
    )


class SubjectIdentifier(Base):
    """Every code a subject can be found by: its USCC, the organisation code inside it, old codes."""

    __tablename__ = "subject_identifiers"
    __table_args__ = (UniqueConstraint("scheme", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[IdScheme] = mapped_column(Enum(IdScheme, native_enum=False, length=20))
    value: Mapped[str] = mapped_column(String(64))

    subject: Mapped[Subject] = relationship(back_populates="identifiers", lazy="raise")
