"""Identity matching: find a referred child on the rolls (Fellegi–Sunter record linkage).

The engine (engine.py, names.py, normalise.py, batch.py) imports nothing from Django, so a
benchmark or a fuzzer can drive it alone; the Django app only adds the `cme link` command.
"""
