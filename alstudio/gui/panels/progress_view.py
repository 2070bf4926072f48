"""Filling the Progress panel from a report dict: texts, colours and the plots' data.

Kept apart from the panel's wiring (jobs, buttons) so each file has one job; every function
here only reads the report and draws.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QLabel

from alstudio.gui.theme import dim_colour

if TYPE_CHECKING:
    from alstudio.gui.panels.progress_panel import ProgressPanel

ADVICE_COLOURS = {  # background, left border
    "keep_going": ("#1e2f22", "#4e9a06"),
    "diminishing_returns": ("#35291b", "#c98a4b"),
}
NEUTRAL = ("#26272b", "#6b6e73")
WARN = "#d9a066"


def _num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def show_advice(label: QLabel, stop: Mapping[str, Any]) -> None:
    """The stopping advice as a coloured box: green keep going, amber diminishing returns."""
    background, border = ADVICE_COLOURS.get(stop["status"], NEUTRAL)
    label.setStyleSheet(f"background: {background}; border-left: 4px solid {border}; "
                        "padding: 8px 10px; border-radius: 3px;")
    label.setText(html.escape(stop["text"]))


CURVES = (("balanced_accuracy", "Balanced accuracy"), ("auc", "ROC AUC"))


def show_curve(panel: ProgressPanel, report: Mapping[str, Any]) -> None:
    """Balanced accuracy and AUC against labels, and the efficiency line under them."""
    for name, _ in CURVES:
        show_curve_plot(panel, report, name)
    show_curve_text(panel, report)


def show_curve_plot(panel: ProgressPanel, report: Mapping[str, Any], name: str) -> None:
    """One metric's curve (its plot is made the first time: a few tens of milliseconds)."""
    from alstudio.gui.panels.progress_plots import draw_curve

    title = dict(CURVES)[name]
    draw_curve(panel.plot(name, panel.curve_box, title, ""), report, name)


def show_curve_text(panel: ProgressPanel, report: Mapping[str, Any]) -> None:
    """The legend, the latest point and the label efficiency under the curves."""
    from alstudio.gui.panels.progress_plots import PROJECT, RANDOM

    points = report["curve"]["points"]
    baseline = report.get("baseline")
    dim = dim_colour()
    lines = [f"<span style='color:{PROJECT}'>●━</span> this project, band: bootstrap 95% "
             f"interval of the test split &nbsp; <span style='color:{RANDOM}'>╌╌</span> "
             "random baseline, mean ± std" if baseline else
             f"<span style='color:{PROJECT}'>●━</span> this project, band: bootstrap 95% "
             "interval of the test split"]
    if not points:
        lines.append("No round has been evaluated on a test split yet.")
    else:
        last = points[-1]["balanced_accuracy"]
        lines.append(f"Round {points[-1]['round']}: balanced accuracy {_num(last['value'])} "
                     f"(95% bootstrap {_num(last['low'])}–{_num(last['high'])}), "
                     f"{points[-1]['labels']} labels.")
    if baseline:
        lines.append(f"<b>Label efficiency</b>: {html.escape(baseline['efficiency']['text'])}.")
        lines.append(f"<span style='color:{dim}'>Random baseline: {baseline['seeds']} seeds, "
                     f"computed {html.escape(str(baseline.get('computed_at', ''))[:16])}."
                     "</span>")
    else:
        lines.append(f"<span style='color:{dim}'>The random baseline retrains on random "
                     "subsets of the labeled set; it takes a few seconds per training."
                     "</span>")
    panel.curve_text.setText("<br>".join(lines))


def show_cost(panel: ProgressPanel, cost: Mapping[str, Any]) -> None:
    """Median seconds per label, labels per hour, total time; per reader; bars over time."""
    from alstudio.gui.panels.progress_plots import PROJECT, draw_bars

    if not cost["labels"]:
        panel.cost_text.setText("No labels yet.")
        return
    hours = cost["total_reader_s"] / 3600
    readers = ", ".join(f"{html.escape(name)} {_num(r['median_s'], 1)} s ({r['labels']})"
                        for name, r in cost["per_reader"].items())
    classes = ", ".join(f"{html.escape(name)} {_num(r['median_s'], 1)} s"
                        for name, r in cost["per_class"].items())
    panel.cost_text.setText(
        f"{cost['labels']} labels, median <b>{_num(cost['median_s'], 1)} s</b> per label, "
        f"{_num(cost['labels_per_hour'], 0)} labels per active hour, "
        f"{hours:.2f} h of reader time.<br>Per reader: {readers}.<br>Per class: {classes}.")
    rows = [r for r in cost["over_time"] if r["median_s"] is not None]
    if rows:
        plot = panel.plot("cost", panel.cost_box, "Median seconds per label", "s", "",
                          height=150)
        draw_bars(plot, [r["interval"].replace("before round", "→ r").replace(
            "since round", "after r") for r in rows],
            [("median s", [r["median_s"] for r in rows], PROJECT)])


def show_balance(panel: ProgressPanel, balance: Mapping[str, Any]) -> None:
    """Labeled share against the model's predicted share of the pool, and any warnings."""
    from alstudio.gui.panels.progress_plots import PROJECT, RANDOM, draw_bars

    rows = balance["classes"]
    warnings = "".join(f"<p style='color:{WARN}'>⚠ {html.escape(w)}</p>"
                       for w in balance["warnings"])
    if not balance["labeled_total"]:
        panel.balance_text.setText("No labels yet.")
        return
    ok = "" if warnings else (f"<span style='color:{dim_colour()}'>Labeled set and pool are "
                              "within the rule's bounds.</span>")
    panel.balance_text.setText(warnings + ok)
    panel.balance_text.setToolTip(balance["rule"])
    names = list(rows)
    series = [("labeled", [rows[n]["labeled_share"] or 0.0 for n in names], PROJECT)]
    if any(rows[n]["predicted_share"] is not None for n in names):
        series.append(("predicted in pool", [rows[n]["predicted_share"] or 0.0
                                             for n in names], RANDOM))
    title = ("Share per class: labeled (blue), predicted in the pool (grey)"
             if len(series) > 1 else "Share per class in the labeled set")
    plot = panel.plot("balance", panel.balance_box, title, "share", "", height=150)
    plot.set_title(title)
    draw_bars(plot, names, series)


def latest_html(latest: Mapping[str, Any] | None) -> str:
    """Per-class recall, precision, AUC and the confusion matrix as a small table."""
    if not latest:
        return "Not evaluated yet."
    dim = dim_colour()
    head = "<tr>" + "".join(f"<th style='color:{dim}; padding: 0 8px'>{h}</th>"
                            for h in ("class", "n", "recall", "precision", "AUC")) + "</tr>"
    rows = []
    for name, c in latest["per_class"].items():
        cells = [html.escape(name), str(c.get("n", "")), _num(c.get("recall")),
                 _num(c.get("precision")), _num(c.get("auc"))]
        rows.append("<tr>" + "".join(f"<td style='padding: 0 8px'>{v}</td>" for v in cells)
                    + "</tr>")
    classes = latest["classes"]
    matrix = latest.get("confusion") or []
    conf = "".join(
        "<tr>" + f"<td style='color:{dim}; padding: 0 8px'>{html.escape(classes[i])}</td>"
        + "".join(f"<td style='padding: 0 8px' align='right'>{v}</td>" for v in row) + "</tr>"
        for i, row in enumerate(matrix))
    conf_head = "".join(f"<th style='color:{dim}; padding: 0 8px'>{html.escape(c)}</th>"
                        for c in classes)
    return (f"Round {latest['round']} ({latest['labels']} labels).<table>{head}"
            f"{''.join(rows)}</table><br><span style='color:{dim}'>Confusion (rows = truth, "
            f"columns = predicted)</span><table><tr><th></th>{conf_head}</tr>{conf}</table>")
