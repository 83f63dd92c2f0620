"""How good the codes are: gold sets, scores, agreement, the agreement gate, trained models.

- :mod:`~pipeline.quality.gold`: human-coded texts mapped onto a codebook.
- :mod:`~pipeline.quality.agreement`: kappa, alpha and percent agreement, one convention.
- :mod:`~pipeline.quality.evaluate` and :mod:`~pipeline.quality.evaluate_report`: scores with
  intervals, and where they are written.
- :mod:`~pipeline.quality.measure`: coders scored side by side, cross-validated.
- :mod:`~pipeline.quality.gate`: codings of poorly agreeing codes marked for review.
- :mod:`~pipeline.quality.card` and :mod:`~pipeline.quality.train`: trained models and cards.
- :mod:`~pipeline.quality.choose`: which coder codes a wave, and why.

This package uses :mod:`pipeline.coding`; coders never import it.
"""
