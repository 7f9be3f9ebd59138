"""The week's daily volume as a small bar chart (PNG), embedded in the mail by Content-ID.

matplotlib with the Agg canvas on a bare ``Figure``: no pyplot, so no global figure registry
that a long-running daemon would fill, no GUI backend, and no font download (the bundled DejaVu
fonts are used). The PNG carries no timestamp, so the same week renders the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

WIDTH_INCHES, HEIGHT_INCHES, DPI = 5.6, 1.8, 200  # shown 560 px wide: sharp on high-density screens
BAR_COLOUR = "#1f5f8b"
TEXT_COLOUR = "#444444"


def daily_volume_png(counts: Sequence[int], day_labels: Sequence[str], title: str) -> bytes:
    """A bar per day with its count written above; ``day_labels`` name the bars (Mo., Di., …)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = range(len(counts))
    bars = axes.bar(positions, counts, color=BAR_COLOUR, width=0.65)
    axes.bar_label(
        bars, labels=[str(count) if count else "" for count in counts], fontsize=8, color=TEXT_COLOUR
    )
    axes.set_xticks(list(positions), list(day_labels), fontsize=8, color=TEXT_COLOUR)
    axes.set_yticks([])
    axes.set_ylim(0, max([*counts, 1]) * 1.25)
    axes.set_title(title, fontsize=9, color=TEXT_COLOUR, loc="left")
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    figure.tight_layout(pad=0.4)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
