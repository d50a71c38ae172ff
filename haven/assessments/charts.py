"""Rounds of an assessment over time, drawn as a small SVG line chart (no script)."""

from dataclasses import dataclass, field

from haven.assessments import rendering

WIDTH, HEIGHT, PAD_X, PAD_TOP, PAD_BOTTOM = 560, 220, 40, 16, 40
SERIES_STYLES = 6  # .series-0 … .series-5 in haven.css


@dataclass
class Series:
    label: str
    style: str  # the CSS class that colours it
    values: list  # one per round: 0–1 or None
    points: str = ""  # SVG polyline points
    dots: list = field(default_factory=list)


@dataclass
class Chart:
    title: str
    dates: list
    series: list[Series]
    x_ticks: list = field(default_factory=list)  # (x, label)
    width: int = WIDTH
    height: int = HEIGHT
    bottom: int = HEIGHT - PAD_BOTTOM
    y_ticks: list = field(default_factory=list)  # (y, label)


def charts_for(assessments) -> list[Chart]:
    """One chart per form with two or more submitted rounds: its dimensions and composites
    on 0–1, round by round."""
    by_form: dict[str, list] = {}
    for assessment in assessments:
        if assessment.status == "submitted" and assessment.scores:
            by_form.setdefault(assessment.definition.form_id, []).append(assessment)
    charts = []
    for rounds in by_form.values():
        if len(rounds) < 2:
            continue
        rounds.sort(key=lambda a: a.submitted_at)
        form = rounds[-1].definition.parsed()
        rules = [r for r in form.scores if r.type in ("dimension", "composite")]
        if not rules:
            continue
        series = [
            Series(
                rendering.pick(rule.labels, form).split(" — ")[0] or rule.name,
                f"series-{index % SERIES_STYLES}",
                [(a.scores.get(rule.name) or {}).get("normalised") for a in rounds],
            )
            for index, rule in enumerate(rules)
        ]
        charts.append(
            _layout(rounds[-1].definition.title, [a.submitted_at for a in rounds], series)
        )
    return charts


def _layout(title: str, dates: list, series: list[Series]) -> Chart:
    inner_w = WIDTH - 2 * PAD_X
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = inner_w / max(1, len(dates) - 1)

    def x(i):
        return round(PAD_X + i * step, 1)

    def y(v):
        return round(PAD_TOP + (1 - v) * inner_h, 1)

    for item in series:
        known = [(x(i), y(v)) for i, v in enumerate(item.values) if v is not None]
        item.points = " ".join(f"{px},{py}" for px, py in known)
        item.dots = known
    chart = Chart(title, dates, series)
    chart.x_ticks = [(x(i), d) for i, d in enumerate(dates)]
    chart.y_ticks = [(y(v), f"{v:.1f}") for v in (0, 0.5, 1)]
    return chart
