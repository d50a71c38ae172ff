"""An independent check of a release: it recounts the classes from the released rows
themselves, with none of the search's code, and says every way the release fails."""

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    k_achieved: int = 0
    l_achieved: float | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(
    columns: Mapping[str, Sequence],
    quasi_identifiers: Sequence[str],
    k: int,
    *,
    records_in: int,
    suppression_limit: float,
    sensitive: str | None = None,
    l_diversity: int | None = None,
    diversity: str = "distinct",
    forbidden: Sequence[str] = (),
) -> Verdict:
    verdict = Verdict()
    names = list(columns)
    rows = list(zip(*(columns[name] for name in names), strict=True)) if names else []
    index = {name: i for i, name in enumerate(names)}
    leaked = [name for name in forbidden if name in columns]
    if leaked:
        verdict.problems.append(f"Source identifiers are released: {', '.join(leaked)}.")
    absent = [q for q in quasi_identifiers if q not in index]
    if absent:
        verdict.problems.append(f"Quasi-identifiers missing from the release: {absent}.")
        return verdict
    classes: dict[tuple, list] = defaultdict(list)
    for row in rows:
        classes[tuple(row[index[q]] for q in quasi_identifiers)].append(row)
    sizes = [len(members) for members in classes.values()]
    verdict.k_achieved = min(sizes) if sizes else 0
    small = sum(1 for size in sizes if size < k)
    if small:
        verdict.problems.append(f"{small} classes have fewer than k = {k} records.")
    suppressed = records_in - len(rows)
    if suppressed < 0:
        verdict.problems.append("The release has more records than its source.")
    elif suppressed > math.floor(suppression_limit * records_in + 1e-9):
        verdict.problems.append(
            f"{suppressed} records suppressed, more than the limit of "
            f"{suppression_limit:.0%} of {records_in}."
        )
    if l_diversity and sensitive:
        if sensitive not in index:
            verdict.problems.append(f"The sensitive attribute {sensitive} is not released.")
            return verdict
        levels = []
        for members in classes.values():
            counts = Counter(row[index[sensitive]] for row in members)
            if diversity == "entropy":
                total = sum(counts.values())
                entropy = -sum(c / total * math.log(c / total) for c in counts.values())
                levels.append(math.exp(entropy))
            else:
                levels.append(float(len(counts)))
        verdict.l_achieved = min(levels) if levels else None
        failing = sum(1 for value in levels if value < l_diversity - 1e-9)
        if failing:
            verdict.problems.append(f"{failing} classes are not {l_diversity}-diverse.")
    return verdict
