"""`cdp profile`: find one person by email, phone or person id and print what we know."""

from __future__ import annotations

import phonenumbers
from rich.console import Console
from rich.table import Table

from cdp.core.errors import CdpError
from cdp.core.settings import Settings
from cdp.core.warehouse import connect


def candidate_identifiers(value: str, default_region: str) -> list[tuple[str, str]]:
    """The (type, normalised value) pairs a user's input can mean, normalised like the graph."""
    value = value.strip()
    if value.startswith("p_"):
        return [("person_id", value)]
    if "@" in value:
        return [("email", value.lower())]
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException:
        raise CdpError(
            f"{value!r} is not an email address, a phone number or a person id."
        ) from None
    return [("phone", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))]


def find_person_id(conn, value: str, default_region: str) -> str:
    for identifier_type, normalised in candidate_identifiers(value, default_region):
        if identifier_type == "person_id":
            row = conn.execute(
                "select person_id from marts.profiles where person_id = ?", [normalised]
            ).fetchone()
        else:
            row = conn.execute(
                "select person_id from marts.person_identifiers "
                "where identifier_type = ? and identifier_value = ?",
                [identifier_type, normalised],
            ).fetchone()
        if row:
            return row[0]
    raise CdpError(f"No person with {value!r} in the warehouse.")


def print_profile(settings: Settings, value: str, console: Console) -> None:
    conn = connect(settings.warehouse, read_only=True)
    try:
        person_id = find_person_id(conn, value, settings.default_phone_region)
        cursor = conn.execute("select * from marts.profiles where person_id = ?", [person_id])
        names = [d[0] for d in cursor.description]
        row = cursor.fetchone()
        identifiers = conn.execute(
            "select identifier_type, identifier_value, first_seen_at, last_seen_at "
            "from marts.person_identifiers where person_id = ? order by identifier_type, "
            "identifier_value",
            [person_id],
        ).fetchall()
    finally:
        conn.close()
    profile = Table(title=f"Profile {person_id}", title_justify="left", show_header=False)
    profile.add_column("field", style="bold")
    profile.add_column("value")
    for name, cell in zip(names, row or (), strict=False):
        if cell is not None:
            profile.add_row(name, str(cell))
    console.print(profile)
    ids = Table(title="Identifiers", title_justify="left")
    for column in ("type", "value", "first seen", "last seen"):
        ids.add_column(column)
    for identifier_type, identifier_value, first_seen, last_seen in identifiers:
        ids.add_row(identifier_type, identifier_value, str(first_seen), str(last_seen))
    console.print(ids)
