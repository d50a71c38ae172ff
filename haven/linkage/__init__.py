"""Probabilistic record linkage for people: deduplication, linking and lookup at registration.

Pure Python with NumPy, SciPy, rapidfuzz and anyascii; no Django. The pieces:

- `normalise`, `scripts`: names folded, stripped of honorifics and particles, and reduced to
  a consonant skeleton shared by their Arabic-script and Latin writings;
- `dates`: exact dates, years and ages;
- `comparisons`: levels of agreement per field, many pairs at a time;
- `blocking`: candidate pairs from several keys;
- `model`: Fellegi–Sunter weights by EM, term frequencies, calibration, explanations;
- `linker`: `dedupe` and `link` from columns to scored pairs and clusters;
- `index`: one new record against many indexed ones;
- `people`: the settings Haven uses for person records;
- `synthetic`, `evaluate`: test data across scripts and accuracy figures.
"""
