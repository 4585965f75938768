"""Whether a matcher's probabilities mean what they say (pure: no Django).

Of the links a matcher reports at about 0.9, about nine in ten should be right. Given labelled
referrals (the record each one is truly about, or none for a child on no roll), `assess` sorts
every referral's best candidate into probability bands and counts how often it was right: the
reliability table. The expected calibration error (ECE) is the gap between the stated and the
observed rate, averaged over the bands by how many candidates fall in each. The Brier score
(mean squared gap between the probability and 1 or 0) rewards both calibration and telling the
child apart, so it is what two models are compared on.

The same table is printed by the benchmarks and kept in every trained model's file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

BANDS = (0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0)
DEFAULT_THRESHOLD = 0.9
# A band needs this many links before its rate says anything (the rule of thumb).
MIN_LINKS_PER_BAND = 30
# Two models' wrong links on the same held-out referrals differ by a few as weights move a little;
# more than this many (or this share of the referrals) is a worse model.
WRONG_LINKS_MARGIN = 2
WRONG_SHARE_MARGIN = 0.002
# Two models' Brier scores on the same referrals differ by less than this as often as not when
# the weights differ a little; only a larger gap says one model is worse.
BRIER_MARGIN = 0.005
# A band may fall short of its lower bound by this much before it counts as overconfident.
BAND_SLACK = 0.05


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    links: int  # referrals whose best candidate's probability falls in [low, high)
    right: int  # of which the candidate is the referred child
    mean_probability: float

    @property
    def right_share(self) -> float:
        return self.right / self.links if self.links else 0.0

    @property
    def holds(self) -> bool:
        """Right at least as often as the band's lower bound, less the slack (or too few to say)."""
        return self.links < MIN_LINKS_PER_BAND or self.right_share >= self.low - BAND_SLACK


@dataclass(frozen=True)
class Calibration:
    referrals: int
    on_roll: int  # referrals whose child is in the index
    threshold: float
    right_links: int  # best candidate at or above the threshold, and the referred child
    wrong_links: int  # best candidate at or above the threshold, but another child
    ece: float
    brier: float
    bands: tuple[Band, ...]

    @property
    def precision(self) -> float:
        linked = self.right_links + self.wrong_links
        return self.right_links / linked if linked else 1.0

    @property
    def recall(self) -> float:
        return self.right_links / self.on_roll if self.on_roll else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def wrong_share(self) -> float:
        """Referrals linked to the wrong child, as a share of all referrals."""
        return self.wrong_links / self.referrals if self.referrals else 0.0

    @property
    def bands_hold(self) -> bool:
        return all(b.holds for b in self.bands)

    def to_dict(self) -> dict:
        out = asdict(self)
        out.update(precision=self.precision, recall=self.recall, f1=self.f1, wrong_share=self.wrong_share,
                   bands_hold=self.bands_hold)
        out["bands"] = [dict(asdict(b), right_share=b.right_share, holds=b.holds) for b in self.bands]
        return out

    def worse_than(self, other: Calibration) -> bool:
        """Worse on the same referrals: more wrong links (the failure that leaves a missing
        child looking safe) by more than chance, or a Brier score higher by more than BRIER_MARGIN."""
        margin = max(WRONG_LINKS_MARGIN, round(WRONG_SHARE_MARGIN * self.referrals))
        return self.wrong_links > other.wrong_links + margin or self.brier > other.brier + BRIER_MARGIN


def assess(outcomes: Iterable[tuple[str | None, float, str | None]], threshold: float = DEFAULT_THRESHOLD) -> Calibration:
    """Reliability of best candidates. Each outcome is (best candidate's id or None, its
    probability, the id of the record the referral is truly about or None)."""
    counts = [[0, 0, 0.0] for _ in BANDS[:-1]]
    referrals = on_roll = right_links = wrong_links = 0
    squared = 0.0
    for predicted, probability, truth in outcomes:
        referrals += 1
        on_roll += truth is not None
        right = predicted is not None and predicted == truth
        squared += (probability - right) ** 2
        if predicted is None:
            continue
        if probability >= threshold:
            right_links += right
            wrong_links += not right
        band = _band(probability)
        counts[band][0] += 1
        counts[band][1] += right
        counts[band][2] += probability
    bands = tuple(
        Band(BANDS[i], BANDS[i + 1], n, r, total / n if n else 0.0) for i, (n, r, total) in enumerate(counts)
    )
    scored = sum(b.links for b in bands)
    ece = sum(abs(b.right - b.mean_probability * b.links) for b in bands) / scored if scored else 0.0
    return Calibration(
        referrals=referrals, on_roll=on_roll, threshold=threshold, right_links=right_links,
        wrong_links=wrong_links, ece=ece, brier=squared / referrals if referrals else 0.0, bands=bands,
    )


def _band(probability: float) -> int:
    for i in range(len(BANDS) - 2, -1, -1):
        if probability >= BANDS[i]:
            return i
    return 0


def table(calibration: Calibration) -> str:
    """The reliability table in Markdown."""
    rows = ["| probability | links | right | share right | mean probability | holds |",
            "| --- | ---: | ---: | ---: | ---: | --- |"]
    for b in calibration.bands:
        high = "1" if b.high >= 1.0 else f"{b.high:g}"
        rows.append(f"| {b.low:g}–{high} | {b.links} | {b.right} | {b.right_share:.3f} | "
                    f"{b.mean_probability:.3f} | {'yes' if b.holds else '**no**'} |")
    return "\n".join(rows)
