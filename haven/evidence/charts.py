"""The indicators' tables drawn as SVG bar charts (pygal), with what the table publishes
only: hidden counts are gaps, never estimates. Each chart is shown beside its table, which
stays the accessible and exact version."""

import pygal
from pygal.style import Style

from haven.core.reporting import Table

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1b1b",
    foreground_strong="#1b1b1b",
    foreground_subtle="#6b6b6b",
    font_family="'Noto Sans', 'DejaVu Sans', sans-serif",
    # Okabe–Ito: told apart with the common colour-vision deficiencies.
    colors=("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"),
)


LABEL_CHARACTERS = 32


def _short(label: str) -> str:
    label = str(label)
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def _number(value):
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def svg(table: Table) -> str:
    """A horizontal bar chart of the table: one bar a row, stacked by column when the table
    adds up (the total column left out), side by side when it does not."""
    kind = pygal.HorizontalStackedBar if table.summed else pygal.HorizontalBar
    chart = kind(
        style=STYLE,
        js=[],  # no script: the chart is an image
        width=760,
        height=max(220, 60 + 28 * len(table.rows)),
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        truncate_legend=40,
        truncate_label=30,
        print_values=False,
        title=table.title,
        no_data_text="",
    )
    # Long row labels would squeeze the bars and the legend: shortened here, whole in the
    # table beside the chart.
    chart.x_labels = [_short(label) for label, _counts in table.rows]
    for index, column in enumerate(table.columns):
        chart.add(column, [_number(counts[index]) for _label, counts in table.rows])
    return chart.render(is_unicode=True)
