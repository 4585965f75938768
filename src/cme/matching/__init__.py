"""Identity matching: find a referred child on the rolls (Fellegi–Sunter record linkage).

The engine (engine.py, names.py, normalise.py, batch.py) imports nothing from Django, so a
benchmark or a fuzzer can drive it alone. The Django side: adapter.py keeps one in-memory index
per authority fed from the database; services.py and selectors.py are the officer's decisions and
the scoped, audited searches; views.py the "Find a child" page and the candidates at triage;
`cme link` and `cme matching-train` the commands.
"""
