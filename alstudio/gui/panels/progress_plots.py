"""The Progress panel's plots, drawn with pyqtgraph (native Qt, fast, interactive).

pyqtgraph is imported when the panel first draws, not when the window opens, so start-up
stays as quick as before. Colours follow the window's theme (:mod:`alstudio.gui.theme`):
quiet greys, one muted blue for the project's curve, grey for the random band.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyqtgraph as pg  # type: ignore[import-untyped]
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication

from alstudio.gui.theme import DARK, LIGHT, current_theme

PROJECT = "#5b8fc7"
RANDOM = "#9a9da3"
ACCENT = "#c98a4b"

pg.setConfigOptions(antialias=True)


def colours() -> dict[str, str]:
    """The current theme's colours (the plots are redrawn when the theme changes)."""
    app = QApplication.instance()
    theme = current_theme(app) if isinstance(app, QApplication) else "dark"
    return DARK if theme == "dark" else LIGHT


def _brush(colour: str, alpha: int) -> QColor:
    c = QColor(colour)
    c.setAlpha(alpha)
    return c


class ThemedPlot(pg.PlotWidget):
    """A plot with the theme's background, dim axes, a light grid and a small title."""

    def __init__(self, title: str, y_label: str, x_label: str = "labels") -> None:
        c = colours()
        super().__init__(background=c["base"])
        item = self.getPlotItem()
        item.setTitle(title, color=c["text"], size="9pt")
        font = QFont()
        font.setPointSizeF(8.0)
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(c["dim"]))
            axis.setTextPen(pg.mkPen(c["dim"]))
            axis.setStyle(tickFont=font)
            axis.enableAutoSIPrefix(False)  # shares stay 0..1, not "(x0.001)"
        item.setLabel("left", y_label, color=c["dim"], size="8pt")
        item.setLabel("bottom", x_label, color=c["dim"], size="8pt")
        item.showGrid(x=True, y=True, alpha=0.15)
        item.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.legend = item.addLegend(offset=(8, 4), labelTextColor=c["text"],
                                     labelTextSize="8pt", brush=_brush(c["alt"], 200))


    def set_title(self, title: str) -> None:
        self.getPlotItem().setTitle(title, color=colours()["text"], size="9pt")


def _band(plot: ThemedPlot, x: Sequence[float], low: Sequence[float],
          high: Sequence[float], colour: str, alpha: int, name: str | None) -> None:
    lower = plot.plot(list(x), list(low), pen=pg.mkPen(None))
    upper = plot.plot(list(x), list(high), pen=pg.mkPen(None))
    fill = pg.FillBetweenItem(lower, upper, brush=_brush(colour, alpha))
    plot.addItem(fill)
    if name:  # the legend shows a swatch: a fill item itself crashes its sample painter
        swatch = pg.PlotDataItem([], [], pen=pg.mkPen(None), fillLevel=0,
                                 brush=_brush(colour, alpha + 60))
        plot.legend.addItem(swatch, name)


def draw_curve(plot: ThemedPlot, report: Mapping[str, Any], metric: str) -> None:
    """The project's points with the bootstrap 95% interval, and the random band (the key
    is a line of text under the plots: a legend inside a small plot hides the curves)."""
    plot.clear()
    plot.legend.clear()
    plot.legend.setVisible(False)
    points = [p for p in report["curve"]["points"] if p[metric]["value"] is not None]
    baseline = report.get("baseline")
    if baseline:
        band = baseline["band"][metric]
        rows = [(s, m, d or 0.0) for s, m, d in zip(baseline["sizes"], band["mean"],
                                                   band["std"], strict=True) if m is not None]
        if rows:
            xs = [r[0] for r in rows]
            _band(plot, xs, [r[1] - r[2] for r in rows], [r[1] + r[2] for r in rows], RANDOM,
                  70, None)
            plot.plot(xs, [r[1] for r in rows], name="random (mean ± std)",
                      pen=pg.mkPen(RANDOM, width=1.5, style=Qt.PenStyle.DashLine))
    if points:
        xs = [p["labels"] for p in points]
        values = [p[metric]["value"] for p in points]
        low = [p[metric]["low"] if p[metric]["low"] is not None else v
               for p, v in zip(points, values, strict=True)]
        high = [p[metric]["high"] if p[metric]["high"] is not None else v
                for p, v in zip(points, values, strict=True)]
        _band(plot, xs, low, high, PROJECT, 55, "bootstrap 95%")
        plot.plot(xs, values, name="this project", pen=pg.mkPen(PROJECT, width=2),
                  symbol="o", symbolSize=6, symbolBrush=PROJECT, symbolPen=pg.mkPen(None))


def draw_bars(plot: ThemedPlot, names: Sequence[str],
              series: Sequence[tuple[str, Sequence[float], str]]) -> None:
    """Grouped bars: one group per name, one bar per series (label, values, colour)."""
    plot.clear()
    plot.legend.clear()
    width = 0.8 / max(1, len(series))
    for n, (_label, values, colour) in enumerate(series):
        offset = -0.4 + width * (n + 0.5)
        bars = pg.BarGraphItem(x=[i + offset for i in range(len(names))], height=list(values),
                               width=width * 0.9, brush=_brush(colour, 210),
                               pen=pg.mkPen(None))
        plot.addItem(bars)
    plot.legend.setVisible(False)  # the plot's title names the series
    axis = plot.getPlotItem().getAxis("bottom")
    axis.setTicks([[(i, _short(name)) for i, name in enumerate(names)]])
    plot.setXRange(-0.6, len(names) - 0.4, padding=0)


def _short(name: str, width: int = 14) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"
