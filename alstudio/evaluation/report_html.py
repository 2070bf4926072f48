"""The report as one self-contained HTML page: figures inline as PNG data URIs, the style in
the page, no script, no external URL, so it opens offline and can be mailed or archived."""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Mapping
from typing import Any

from alstudio.evaluation.report_plots import (
    balance_figure,
    confusion_figure,
    cost_figure,
    curve_figure,
)
from alstudio.evaluation.stopping import DIMINISHING, KEEP_GOING

_STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328;
       background: #f4f5f7; margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 10px; }
.sub { color: #6b7078; margin-bottom: 18px; }
section { background: #fff; border: 1px solid #dde0e4; border-radius: 6px; padding: 16px 20px;
          margin-bottom: 16px; }
.advice { font-size: 15px; padding: 12px 16px; border-radius: 6px; margin-bottom: 8px; }
.keep_going { background: #e7f1e4; border-left: 5px solid #4e9a06; }
.diminishing_returns { background: #fbf0e2; border-left: 5px solid #c4702a; }
.other { background: #eef0f2; border-left: 5px solid #8a8c91; }
.warn { background: #fbf0e2; border-left: 4px solid #c4702a; padding: 6px 10px; margin: 6px 0; }
table { border-collapse: collapse; margin: 6px 0; } td, th { padding: 3px 12px 3px 0;
        text-align: right; } th { color: #6b7078; font-weight: 600; } td:first-child,
        th:first-child { text-align: left; }
.row { display: flex; gap: 16px; flex-wrap: wrap; } .row > section { flex: 1 1 420px; }
img { max-width: 100%; } .num { font-variant-numeric: tabular-nums; }
.muted { color: #6b7078; }
"""


def _img(data: bytes | None, alt: str) -> str:
    if data is None:
        return f'<p class="muted">{html.escape(alt)}: nothing to draw yet.</p>'
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}">'


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return html.escape(str(value))


def _table(head: list[str], rows: list[list[Any]]) -> str:
    out = ["<table><tr>", *(f"<th>{html.escape(h)}</th>" for h in head), "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f'<td class="num">{_fmt(v)}</td>' for v in row) + "</tr>")
    out.append("</table>")
    return "".join(out)


def render_html(report: Mapping[str, Any],
                figures: Callable[[Mapping[str, Any]], dict[str, bytes | None]] | None = None
                ) -> str:
    """The page for a :func:`~alstudio.evaluation.project_report.build_report` dict."""
    figs = (figures or report_figures)(report)
    e = html.escape
    stop = report["stopping"]
    kind = stop["status"] if stop["status"] in (KEEP_GOING, DIMINISHING) else "other"
    labels = report["labels"]
    budget = (f"{labels['remaining_budget']} of a budget of {labels['budget']} labels remain"
              if labels["budget"] else "no label budget set")
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{e(report['project'])}: progress report</title><style>{_STYLE}</style>",
        "</head><body><main>",
        f"<h1>{e(report['project'])}: progress report</h1>",
        f"<div class='sub'>{labels['labeled_items']} items labeled, {labels['rounds']} rounds, "
        f"test split {report['test_split']['labeled']} labeled of "
        f"{report['test_split']['items']}; {e(budget)}. Generated {e(report['generated_at'])} "
        f"by alstudio {e(report['alstudio_version'])}.</div>",
        f"<section><h2>When to stop</h2><div class='advice {kind}'>{e(stop['text'])}</div>",
        f"<div class='muted'>Rule: {e(stop['rule'])}; threshold "
        f"{stop['threshold_points_per_100']} points of balanced accuracy per 100 labels."
        "</div></section>",
        "<section><h2>Learning curve</h2>", _img(figs.get("curve"), "Learning curve"),
        _curve_table(report), _baseline_text(report), "</section>",
        "<div class='row'>", _latest_section(report, figs.get("confusion")),
        _balance_section(report, figs.get("balance")), "</div>",
        _cost_section(report, figs.get("cost")),
        "</main></body></html>",
    ]
    return "\n".join(parts)


def report_figures(report: Mapping[str, Any]) -> dict[str, bytes | None]:
    """Every figure of the page (PNG bytes, or ``None`` where there is no data yet)."""
    latest = report.get("latest_round")
    return {"curve": curve_figure(report),
            "confusion": confusion_figure(latest) if latest else None,
            "cost": cost_figure(report["annotation_cost"]),
            "balance": balance_figure(report["class_balance"])}


def _curve_table(report: Mapping[str, Any]) -> str:
    rows = []
    for p in report["curve"]["points"]:
        ba, auc = p["balanced_accuracy"], p["auc"]
        rows.append([p["round"], p["labels"], ba["value"],
                     f"{_fmt(ba['low'])}–{_fmt(ba['high'])}", auc["value"],
                     f"{_fmt(auc['low'])}–{_fmt(auc['high'])}"])
    if not rows:
        return "<p class='muted'>No round has been evaluated on a test split yet.</p>"
    return _table(["round", "labels", "balanced accuracy", "95% interval", "AUC",
                   "95% interval"], rows)


def _baseline_text(report: Mapping[str, Any]) -> str:
    baseline = report.get("baseline")
    if not baseline:
        return ("<p class='muted'>Random baseline not computed: run <code>alstudio report "
                "PROJECT --baseline 3</code> or use the Progress panel.</p>")
    eff = baseline["efficiency"]
    return (f"<p><b>Label efficiency:</b> {html.escape(eff['text'])}. Random baseline: "
            f"{baseline['seeds']} seeds at {len(baseline['sizes'])} label counts, computed "
            f"{html.escape(str(baseline.get('computed_at', '')))}.</p>")


def _latest_section(report: Mapping[str, Any], confusion: bytes | None) -> str:
    latest = report.get("latest_round")
    if not latest:
        return "<section><h2>Latest round</h2><p class='muted'>Not evaluated yet.</p></section>"
    rows = [[name, c.get("n"), c.get("recall"), c.get("precision"), c.get("auc")]
            for name, c in latest["per_class"].items()]
    return (f"<section><h2>Latest round ({latest['round']}, {latest['labels']} labels)</h2>"
            + _table(["class", "test items", "recall", "precision", "AUC"], rows)
            + _img(confusion, "Confusion matrix") + "</section>")


def _balance_section(report: Mapping[str, Any], figure: bytes | None) -> str:
    balance = report["class_balance"]
    warnings = "".join(f"<div class='warn'>{html.escape(w)}</div>"
                       for w in balance["warnings"])
    rows = [[name, r["labeled"], r["labeled_share"], r["predicted_share"], r["flag"] or ""]
            for name, r in balance["classes"].items()]
    return ("<section><h2>Class balance</h2>" + warnings
            + _table(["class", "labeled", "share", "predicted in pool", "flag"], rows)
            + _img(figure, "Class balance")
            + f"<div class='muted'>Rule: {html.escape(balance['rule'])}.</div></section>")


def _cost_section(report: Mapping[str, Any], figure: bytes | None) -> str:
    cost = report["annotation_cost"]
    hours = cost["total_reader_s"] / 3600
    head = (f"<p>{cost['labels']} labels ({cost['timed_labels']} timed); median "
            f"{_fmt(cost['median_s'], 1)} s per label; {_fmt(cost['labels_per_hour'], 0)} "
            f"labels per active hour; total reader time {hours:.2f} h.</p>")
    readers = _table(["reader", "labels", "median s", "total s"],
                     [[n, r["labels"], _fmt(r["median_s"], 1), _fmt(r["total_s"], 0)]
                      for n, r in cost["per_reader"].items()])
    classes = _table(["class", "labels", "median s", "total s"],
                     [[n, r["labels"], _fmt(r["median_s"], 1), _fmt(r["total_s"], 0)]
                      for n, r in cost["per_class"].items()])
    return ("<section><h2>Annotation cost</h2>" + head + "<div class='row'><div>" + readers
            + classes + "</div><div>" + _img(figure, "Annotation time") + "</div></div>"
            "</section>")
