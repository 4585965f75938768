"""Identity matching: the engine that says who a child described by a referral, a search or a
roll may be (Fellegi–Sunter record linkage, weighing siblings and namesakes), and the index that
feeds it from the database.

The engine (engine.py, names.py, normalise.py, calibration.py, holdout.py, batch.py) imports
nothing from Django, so a benchmark or a fuzzer can drive it alone. adapter.py keeps one in-memory
index per authority fed from the database and kept fresh by receivers.py. A low floor: the rooms
that identify a referred child (cme.identify), link a roll's pupils (cme.movements) or search
(cme.identify) call down to it; it reads the referrals it trains on through hooks.py.
`cme link` is the batch contract.
"""
