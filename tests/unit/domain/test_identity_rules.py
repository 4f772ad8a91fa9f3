"""Roles and password rules."""

from __future__ import annotations

import pytest

from osmi.domain.errors import InvalidArgument
from osmi.domain.identity import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    Role,
    check_password,
)


@pytest.mark.parametrize(
    ("raw", "role"),
    [
        ("", Role.CUSTOMER),
        ("   ", Role.CUSTOMER),
        ("customer", Role.CUSTOMER),
        ("organizer", Role.ORGANIZER),
        (" Admin ", Role.ADMIN),
        ("ORGANIZER", Role.ORGANIZER),
    ],
)
def test_parse_accepts_known_roles_in_any_case(raw: str, role: Role) -> None:
    assert Role.parse(raw) is role


@pytest.mark.parametrize("raw", ["root", "organiser", "admins", "1"])
def test_parse_rejects_unknown_roles_naming_the_field(raw: str) -> None:
    with pytest.raises(InvalidArgument) as exc:
        Role.parse(raw)
    [violation] = exc.value.violations
    assert violation.field == "role"
    for role in ("customer", "organizer", "admin"):
        assert role in violation.description


def test_roles_are_their_wire_values() -> None:
    assert [r.value for r in Role] == ["customer", "organizer", "admin"]
    assert isinstance(Role.ADMIN, str)
    assert f"{Role.ADMIN}" == "admin"


@pytest.mark.parametrize("length", [MIN_PASSWORD_LENGTH, 20, MAX_PASSWORD_LENGTH])
def test_passwords_within_bounds_pass(length: int) -> None:
    check_password("p" * length)


@pytest.mark.parametrize(
    ("length", "bound"),
    [(0, "at least"), (MIN_PASSWORD_LENGTH - 1, "at least"), (MAX_PASSWORD_LENGTH + 1, "at most")],
)
def test_passwords_out_of_bounds_name_the_field(length: int, bound: str) -> None:
    with pytest.raises(InvalidArgument) as exc:
        check_password("p" * length)
    [violation] = exc.value.violations
    assert violation.field == "password"
    assert bound in violation.description


def test_password_length_counts_characters_not_bytes() -> None:
    check_password("é" * MIN_PASSWORD_LENGTH)
    with pytest.raises(InvalidArgument):
        check_password("é" * (MIN_PASSWORD_LENGTH - 1))
