"""The sections of the warehouse report, one per chart people look at every morning.

A section whose mart is missing (the marketing marts, predictions not yet fitted) shows a
"not available" note instead of failing the whole report.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import matplotlib

# Selected before pyplot is imported, whichever report module is imported first.
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from dagster_project.lib import publish  # noqa: E402
from dagster_project.lib.report_blocks import (  # noqa: E402
    Section,
    Warehouse,
    figure_to_img,
    not_available,
    table_html,
    yuan,
)

SCORES = (1, 2, 3, 4, 5)
# ROAS comes from channel_roi's own week grain (its weekly view), never re-aggregated from days.
ROAS_MART = "channel_roi_weekly"
ROAS_REVENUE = "attributed_net_revenue_cents"
AD_FUNNEL_MART = "fct_funnel_daily"
AD_FUNNEL_STEPS = (
    "impressions",
    "clicks",
    "product_viewers",
    "cart_adders",
    "orders",
    "paid_orders",
)


def cohort_section(warehouse: Warehouse) -> Section:
    title = "Cohort retention"
    cohorts = warehouse.read("marts", "cohort_retention")
    if cohorts is None or cohorts.empty:
        return Section("cohort-retention", title, not_available("marts.cohort_retention"), False)
    cohorts["cohort"] = pd.to_datetime(cohorts["cohort_month"]).dt.strftime("%Y-%m")
    grid = cohorts.pivot_table(
        index="cohort", columns="months_since_first", values="retention_rate", aggfunc="max"
    ).sort_index()
    sizes = cohorts.groupby("cohort")["cohort_size"].max().reindex(grid.index)
    figure, axes = plt.subplots(figsize=(10, 0.35 * len(grid) + 1.8))
    image = axes.imshow(grid.to_numpy(dtype="float64"), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    axes.set_xticks(range(len(grid.columns)), [str(column) for column in grid.columns])
    axes.set_yticks(range(len(grid.index)), [f"{c} (n={sizes[c]})" for c in grid.index])
    axes.set_xlabel("months since first order")
    axes.set_ylabel("first-order month (cohort size)")
    for row_number, row in enumerate(grid.to_numpy(dtype="float64")):
        for column_number, rate in enumerate(row):
            if not np.isnan(rate) and column_number > 0:
                colour = "white" if rate > 0.5 else "black"
                axes.text(
                    column_number,
                    row_number,
                    f"{rate:.0%}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color=colour,
                )
    figure.colorbar(image, ax=axes, label="share of cohort with an order")
    axes.set_title("Share of each first-order cohort buying again, by month")
    body = figure_to_img(figure, "cohort retention heat map")
    return Section("cohort-retention", title, body, True)


def rfm_grid(rfm: pd.DataFrame) -> pd.DataFrame:
    """Customers per (R score, F score); rows R 5..1 so the best customers sit top right."""
    counts = rfm.groupby(["r_score", "f_score"]).size()
    grid = counts.unstack("f_score").reindex(index=SCORES[::-1], columns=SCORES).fillna(0)
    grid = grid.astype("int64")
    grid.index.name = "r_score"
    grid.columns.name = None
    grid.columns = [f"f_score_{score}" for score in grid.columns]
    return grid


def rfm_section(warehouse: Warehouse) -> Section:
    title = "RFM segments"
    rfm = warehouse.read("marts", "customer_rfm")
    if rfm is None or rfm.empty:
        return Section("rfm", title, not_available("marts.customer_rfm"), False)
    grid = rfm_grid(rfm)
    figure, axes = plt.subplots(figsize=(6.5, 5))
    image = axes.imshow(grid.to_numpy(), cmap="Greens", aspect="equal")
    axes.set_xticks(range(5), [str(score) for score in SCORES])
    axes.set_yticks(range(5), [str(score) for score in SCORES[::-1]])
    axes.set_xlabel("F score (5 = most frequent)")
    axes.set_ylabel("R score (5 = most recent)")
    peak = grid.to_numpy().max()
    for row_number, row in enumerate(grid.to_numpy()):
        for column_number, count in enumerate(row):
            colour = "white" if count > peak / 2 else "black"
            axes.text(column_number, row_number, str(count), ha="center", va="center", color=colour)
    figure.colorbar(image, ax=axes, label="customers")
    axes.set_title(f"Customers by R and F score ({len(rfm):,} buyers)")
    body = figure_to_img(figure, "RFM segment grid") + table_html(grid, "rfm-grid", "r_score")
    return Section("rfm", title, body, True)


def ltv_section(warehouse: Warehouse) -> Section:
    title = "Customer lifetime value"
    ltv = warehouse.read("marts", "customer_ltv")
    if ltv is None or ltv.empty:
        return Section("ltv", title, not_available("marts.customer_ltv"), False)
    predictions = warehouse.read("marts", "customer_clv_predictions")
    predicted_column = _predicted_value_column(predictions)
    panels = 2 if predicted_column else 1
    figure, axes = plt.subplots(1, panels, figsize=(6 * panels, 4), squeeze=False)
    historical = yuan(ltv["net_revenue_cents"]).dropna()
    axes[0][0].hist(historical, bins=40, color="#4C72B0")
    axes[0][0].set_xlabel("net revenue to date (yuan)")
    axes[0][0].set_ylabel("customers")
    axes[0][0].set_title(f"Historical LTV, median {historical.median():,.0f} yuan")
    notes = []
    if predicted_column:
        predicted = yuan(predictions[predicted_column]).dropna()
        axes[0][1].hist(predicted, bins=40, color="#DD8452")
        axes[0][1].set_xlabel(f"{predicted_column.removesuffix('_cents')} (yuan)")
        axes[0][1].set_ylabel("customers")
        axes[0][1].set_title(f"Predicted CLV, median {predicted.median():,.0f} yuan")
    else:
        notes.append(not_available("predicted CLV (marts.customer_clv_predictions has no rows)"))
    body = figure_to_img(figure, "LTV distribution") + "".join(notes)
    return Section("ltv", title, body, True)


def _predicted_value_column(predictions: pd.DataFrame | None) -> str | None:
    if predictions is None or predictions.empty:
        return None
    candidates = [
        column
        for column in predictions.columns
        if column.startswith("predicted_clv") and column.endswith("_cents")
    ] or [column for column in predictions.columns if "clv" in column and column.endswith("_cents")]
    usable = [column for column in sorted(candidates) if predictions[column].notna().any()]
    return usable[0] if usable else None


def roas_frame(frame: pd.DataFrame) -> pd.DataFrame | None:
    """Weekly ROAS per channel from channel_roi_weekly: the week's attributed revenue over its
    spend, summed over the channel's campaigns (the mart's week is the dbt one)."""
    required = {"period_start_date", "platform", "spend_cents", ROAS_REVENUE}
    if not required <= set(frame.columns):
        return None
    weekly = frame.assign(week=lambda rows: pd.to_datetime(rows["period_start_date"]))
    sums = weekly.groupby(["week", "platform"])[["spend_cents", ROAS_REVENUE]].sum()
    sums = sums[sums["spend_cents"] > 0]
    roas = (sums[ROAS_REVENUE] / sums["spend_cents"]).rename("roas")
    return roas.reset_index().rename(columns={"platform": "channel"})


def roas_section(warehouse: Warehouse) -> Section:
    title = "Channel ROAS over time"
    name = ROAS_MART
    present = warehouse.has("marts", name)
    roas = roas_frame(warehouse.read("marts", name)) if present else None
    if roas is not None and not roas.empty:
        figure, axes = plt.subplots(figsize=(10, 4))
        for channel, rows in roas.groupby("channel"):
            axes.plot(rows["week"], rows["roas"], marker=".", label=str(channel))
        axes.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
        axes.set_ylabel("ROAS (revenue / spend)")
        axes.set_title(f"Weekly return on ad spend by channel (marts.{name})")
        axes.legend()
        figure.autofmt_xdate()
        return Section("roas", title, figure_to_img(figure, "channel ROAS over time"), True)
    reason = (
        f"marts.{name} has no weekly spend and {ROAS_REVENUE}"
        if present
        else f"no marts.{name} yet"
    )
    return Section("roas", title, not_available(reason), False)


def funnel_counts(customers: pd.DataFrame) -> pd.DataFrame:
    """Customers reaching each step; each step is a subset of the one before."""
    orders = customers["order_count"].fillna(0)
    steps = [
        ("identified customers", len(customers)),
        ("buyers (1+ orders)", int((orders >= 1).sum())),
        ("repeat buyers (2+ orders)", int((orders >= 2).sum())),
        ("loyal buyers (3+ orders)", int((orders >= 3).sum())),
    ]
    frame = pd.DataFrame(steps, columns=["step", "customers"])
    first = frame["customers"].iloc[0]
    frame["share_of_identified"] = frame["customers"] / first if first else 0.0
    return frame


def ad_funnel_counts(funnel: pd.DataFrame) -> pd.DataFrame:
    """Totals over every day and campaign of the steps the marketing funnel mart has."""
    steps = [step for step in AD_FUNNEL_STEPS if step in funnel.columns]
    totals = funnel[steps].sum()
    return pd.DataFrame({"step": steps, "count": [float(totals[step]) for step in steps]})


def _funnel_chart(
    labels: pd.Series, counts: pd.Series, title: str, alt: str, log_scale: bool = False
) -> str:
    """Bars labelled with the count and its share of the step before."""
    figure, axes = plt.subplots(figsize=(8, 0.45 * len(labels) + 1.5))
    positions = np.arange(len(labels))[::-1]
    axes.barh(positions, counts, color="#55A868")
    axes.set_yticks(positions, labels)
    if log_scale:
        # Impressions outnumber orders by orders of magnitude: linear bars would hide the tail.
        axes.set_xscale("log")
    axes.set_xlabel("count (log scale)" if log_scale else "count")
    previous = None
    for position, count in zip(positions, counts, strict=True):
        share = f" ({count / previous:.1%} of previous)" if previous else ""
        axes.text(max(count, 1), position, f" {count:,.0f}{share}", va="center")
        previous = count
    axes.set_title(title)
    axes.margins(x=0.35)
    return figure_to_img(figure, alt)


def funnel_section(warehouse: Warehouse) -> Section:
    title = "Customer funnel"
    parts = []
    ad_funnel = warehouse.read("marts", AD_FUNNEL_MART)
    if ad_funnel is not None and not ad_funnel.empty:
        steps = ad_funnel_counts(ad_funnel)
        parts.append(
            _funnel_chart(
                steps["step"],
                steps["count"],
                f"Paid traffic funnel (marts.{AD_FUNNEL_MART})",
                "ad funnel",
                log_scale=True,
            )
        )
    else:
        parts.append(not_available(f"paid traffic funnel (marts.{AD_FUNNEL_MART})"))
    customers = warehouse.read("marts", "dim_customers")
    if customers is None or customers.empty:
        parts.append(not_available("customer funnel (marts.dim_customers)"))
        return Section("funnel", title, "".join(parts), False)
    funnel = funnel_counts(customers)
    parts.append(
        _funnel_chart(
            funnel["step"],
            funnel["customers"],
            "From identified customer to loyal buyer",
            "customer funnel",
        )
    )
    parts.append(table_html(funnel, "funnel"))
    return Section("funnel", title, "".join(parts), True)


def quarantine_summary(warehouse: Warehouse) -> pd.DataFrame | None:
    """From the snapshot's summary table, else counted from the warehouse's quarantine tables."""
    published = warehouse.read(publish.QUALITY_SCHEMA, "quarantine_summary")
    if published is not None:
        return published
    query = publish.quarantine_summary_query(
        warehouse.tables(publish.QUARANTINE_SCHEMA), publish.QUARANTINE_SCHEMA
    )
    return None if query is None else warehouse.query(query)


def quality_section(warehouse: Warehouse) -> Section:
    title = "Data quality"
    parts = []
    summary = quarantine_summary(warehouse)
    available = summary is not None
    if summary is None:
        parts.append(not_available("quarantine tables"))
    elif summary.empty:
        parts.append("<p>No quarantined rows.</p>")
    else:
        by_source = summary.groupby("source")["quarantined_rows"].sum().sort_values()
        figure, axes = plt.subplots(figsize=(8, 0.4 * len(by_source) + 1.5))
        axes.barh(by_source.index, by_source.to_numpy(), color="#C44E52")
        axes.set_xlabel("quarantined rows")
        axes.set_title("Quarantined rows per source")
        parts.append(figure_to_img(figure, "quarantined rows per source"))
        parts.append(table_html(summary.reset_index(drop=True), "quarantine"))
    checks = warehouse.read(publish.QUALITY_SCHEMA, "check_results")
    if checks is None or checks.empty:
        parts.append(not_available("check results (published by the Dagster run)"))
    else:
        failed = checks[~checks["passed"].astype(bool)]
        parts.append(
            f"<p>Checks in run {html.escape(str(checks['run_id'].iloc[0]))}: "
            f"{int(checks['passed'].sum())} passed, {len(failed)} failed.</p>"
        )
        if not failed.empty:
            columns = ["asset_key", "check_name", "severity"]
            parts.append(table_html(failed[columns], "failed-checks"))
    return Section("quality", title, "".join(parts), available)


SECTIONS: tuple[Callable[[Warehouse], Section], ...] = (
    cohort_section,
    rfm_section,
    ltv_section,
    roas_section,
    funnel_section,
    quality_section,
)
