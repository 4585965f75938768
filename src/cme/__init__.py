"""CME Tracker: the children-missing-education register of an English local authority."""
