"""Movements between rolls, sent once the recording transaction commits (never for a refused one),
so that rooms above can act on them without the rolls knowing who listens (docs/adr/0011).

new_entry_recorded(sender, *, la_id, provider_id, child_id, person, entry_date, source, record)
    A pupil joined a roll of the authority: a new-entry return (web, API, CSV) or a joiner at a
    roll import. ``person`` has the ``cme link`` person columns (upn, forename, middle_names,
    surname, former_surname, dob, sex, postcode, address); ``child_id`` is the register's child
    when known (else None); ``source`` is "web", "api", "csv" or "roll"; ``record`` is the stored
    row that recorded it. A roll import adds ``joiners``, how many joined with this one.

leaver_recorded(sender, *, la_id, provider_id, child_id, leaving_date, ground, destination, source, record)
    A pupil left a roll of the authority: a deletion return or a leaver at a roll import.
    ``ground`` is a 2024 reg 9(1) letter ("a".."o") or "" when unknown; ``destination`` the next
    school's LAESTAB when known, else "".
"""

from django.dispatch import Signal

new_entry_recorded = Signal()
leaver_recorded = Signal()
