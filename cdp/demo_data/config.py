"""Knobs of the simulation: the hard-case noise rates a caller may override, and the fixed shape
of ordinary behaviour (who subscribes, buys, browses) that makes the data look like a real shop.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NoiseConfig:
    """Rates of the identity-resolution traps switched on by `hard_cases=True`.

    Each rate is a share of all true people unless stated otherwise. With `hard_cases=False`
    none of these apply, so two different true people never share an identifier.
    """

    typo_email_rate: float = 0.03
    """People whose address shows up a second time, mistyped, in one source (a cleaned Mailchimp
    member, a Square profile or a guest order)."""
    email_change_rate: float = 0.04
    """People who switch to a new email address half-way through the history."""
    family_rate: float = 0.05
    """People placed in 2–3 person households sharing a surname and a home address."""
    family_shared_device_rate: float = 0.6
    """Share of households whose members browse on one shared tablet (same clientId)."""
    family_shared_phone_rate: float = 0.5
    """Share of households whose members all give the same home phone number."""
    counter_phone_rate: float = 0.15
    """Share of SoHo store profiles where staff typed the shop counter's phone number."""
    same_name_rate: float = 0.02
    """People given exactly the first and last name of another, unrelated person."""


@dataclass(frozen=True)
class FuzzyConfig:
    """Rates of the probabilistic-matching cases switched on by `fuzzy=True`.

    A fuzzy person's records in the tools share no email and no phone (the Square profile holds
    another address or none and a mistyped phone; the Mailchimp member yet another address), so
    only name, address and birthday can link them. With `fuzzy=False` nothing here applies.
    """

    share: float = 0.15
    """Fuzzy people, as a share of all true people (drawn among those who use two or more of
    Square, Shopify and Mailchimp)."""
    till_without_email: float = 0.4
    """Fuzzy store shoppers who give no email at the till (the others give a work or old
    address the shop never sees online)."""
    phone_digit_dropped: float = 0.4
    """Mistyped till phones missing a digit (the others have one digit changed)."""
    nickname_rate: float = 0.25
    """Records (Square profile, Mailchimp member) naming the person by a nickname, when their
    first name has a common one."""
    first_name_typo_rate: float = 0.15
    """Records with one letter of the first name mistyped."""
    last_name_typo_rate: float = 0.05
    """Records with one letter of the last name mistyped."""
    address_variation_rate: float = 0.5
    """Records whose street address is written another way: `Street` as `St`, the unit
    dropped or moved onto line 1, capitals."""


@dataclass(frozen=True)
class BehaviourRates:
    """Ordinary (non-adversarial) behaviour; not part of the public knobs."""

    account_rate: float = 0.40
    subscribe_rate_account: float = 0.62
    subscribe_rate_other: float = 0.42
    store_rate_local: float = 0.38
    store_rate_remote: float = 0.04
    guest_buyer_rate: float = 0.10
    browse_only_rate: float = 0.22
    phone_rate: float = 0.85
    two_email_rate: float = 0.22
    """Share of subscribing account holders with a work email on Shopify."""
    member_unsubscribed: float = 0.12
    member_cleaned: float = 0.07
    campaign_every_days: int = 14
    send_base: float = 0.12
    send_engaged: float = 0.40
    click_given_open: float = 0.25
    soft_bounce: float = 0.01
    cancel_rate: float = 0.03
    refund_rate: float = 0.04
    partial_refund_rate: float = 0.04
    pending_rate: float = 0.01
    adblock_rate: float = 0.08
    """Online orders whose buyer blocks the pixel: the order exists, its web events do not."""
    walk_in_per_person: float = 0.6
    """Anonymous store sales (no true person) per true person."""


SIMULATION_DAYS = 548
"""About 18 months of history end at `as_of`."""
