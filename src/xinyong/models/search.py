"""The public search index (公示检索索引): n-gram postings of the normalised names of the subjects the
public may see, with per-gram document frequencies. Kept by ``xinyong.subjects.search_index``."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.models.base import Base

#: Name keys compare code point by code point on both databases (SQLite's BINARY is that already), so
#: that a prefix is an index range and pages follow one order whatever the server's locale.
NameKey = String(300).with_variant(String(300, collation="C"), "postgresql")
GramKey = String(24).with_variant(String(24, collation="C"), "postgresql")


class SearchName(Base):
    """One row per subject shown publicly (a verified organisation), with its normalised name."""

    __tablename__ = "search_names"
    __table_args__ = (Index("ix_search_names_name_norm", "name_norm", "subject_id"),)

    subject_id: Mapped[int] = mapped_column(
        ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    name_norm: Mapped[str] = mapped_column(NameKey)


class SearchGram(Base):
    """Postings: which listed subject's normalised name contains a gram (every run of 1, 2 and 3
    adjacent characters, and each generic organisation-form word of ``search_index.PHRASES``)."""

    __tablename__ = "search_grams"
    __table_args__ = ({"sqlite_with_rowid": False},)

    gram: Mapped[str] = mapped_column(GramKey, primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class SearchGramCount(Base):
    """How many listed subjects contain a gram: the sum of its rows. Writers only append (+n or -n),
    so concurrent intakes never wait on one hot row; a rebuild or ``compact`` folds them to one row.
    The gram ``''`` counts every listed subject."""

    __tablename__ = "search_gram_counts"
    __table_args__ = (Index("ix_search_gram_counts_gram", "gram", "n"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gram: Mapped[str] = mapped_column(GramKey)
    n: Mapped[int] = mapped_column(Integer)


class SearchPosition(Base):
    """The numbers 1..300 (a name's longest length): character positions to cut grams at, in SQL."""

    __tablename__ = "search_positions"

    n: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
