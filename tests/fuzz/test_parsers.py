"""The field parsers never let an exception other than their own escape, for any input."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import targets
from tests.fuzz.conftest import FUZZ, time_limit
from tests.fuzz.strategies import NASTY, scalars

DATEISH = st.one_of(
    st.from_regex(r"\s*\d{1,6}\s*[-/.年]\s*\d{1,3}\s*[-/.月]\s*\d{1,3}\s*日?\s*", fullmatch=True),
    st.text(alphabet="0123456789-/.年月日 \t\u3000٣", max_size=20),
    st.sampled_from(NASTY),
    st.text(max_size=40),
)


@FUZZ
@given(st.one_of(DATEISH, scalars))
def test_parse_date(value: object) -> None:
    from safeledger.model.dates import DateFormError, parse_date

    with time_limit():
        try:
            parse_date(value)
        except DateFormError as err:
            assert str(err)


@FUZZ
@given(st.one_of(st.text(max_size=20), scalars, st.sampled_from(NASTY)))
def test_enum_parse(value: object) -> None:
    from safeledger.model.enums import LedgerEnum

    for enum in LedgerEnum.__subclasses__():
        assert enum.parse(value) in (None, *[m.value for m in enum])


@FUZZ
@given(
    st.one_of(
        st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZ ", min_size=16, max_size=20),
        st.text(max_size=30),
    )
)
def test_credit_code(code: str) -> None:
    targets.credit_code(code.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.one_of(scalars, st.lists(scalars, max_size=3)))
def test_field_validators(value: object) -> None:
    from pydantic import TypeAdapter, ValidationError

    from safeledger.model.fields import Amount, Count, LedgerDate, Text, YesNo

    with time_limit():
        for typ in (Amount, Count, LedgerDate, Text, YesNo):
            try:
                TypeAdapter(typ).validate_python(value)
            except ValidationError as err:
                assert str(err)


PERIODISH = st.one_of(
    st.from_regex(
        r"\d{1,6}\s*[-年/.]?\s*(Q|q|H|第)?[0-9一二三四]{0,3}\s*(季度|月|年)?", fullmatch=True
    ),
    st.sampled_from(["last", "current", "上季度", "本月", "去年", "2025Q5", "0000-00", "9999-12"]),
    st.text(max_size=20),
)


@FUZZ
@given(PERIODISH)
def test_periods(text: str) -> None:
    with time_limit():
        targets.periods(text.encode("utf-8", "surrogatepass"))
