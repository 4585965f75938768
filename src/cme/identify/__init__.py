"""Identify a child (process step 2): who a referred child may be and the officer's decision,
"Find a child", and the pupils a roll could not link surely. Matching (cme.matching) scores; the
officer decides, here."""
