"""The landing-zone contract: every raw source file, its columns, types, units and time zones.

The demo-data generator writes exactly these files, the loader validates landing files against
them, and ``docs/sources.md`` is rendered from them. A user who drops their own exports into the
landing folder in these shapes runs the same pipeline.

Files live at ``<landing_root>/<family>/<table>/<table>_<YYYY-MM-DD>.csv`` where the date is the
export (business) day in China Standard Time. Every value is read as text; typing and cleaning
happen in the dbt staging layer so that nothing is lost before a row can be quarantined.
"""

from __future__ import annotations

from dagster_project.lib.contract_types import (
    CURRENCY_NOTE,
    CURRENCY_PATTERN,
    PHONE_NOTE,
    STORE_PLATFORMS,
    TIMESTAMP_FORMATS_NOTE,
    Column,
    SourceTable,
    currency_column,
)

__all__ = ["FAMILIES", "FAMILY_DESCRIPTIONS", "SOURCES", "Column", "SourceTable", "get_source"]


SOURCES: tuple[SourceTable, ...] = (
    # --- public-domain ad platforms --------------------------------------------------------
    SourceTable(
        family="ads",
        table="ocean_engine_campaign_daily",
        description="Ocean Engine (Douyin) ad-level daily report, as exported from the console.",
        primary_key=("stat_date", "ad_id"),
        notes=(CURRENCY_NOTE,),
        columns=(
            Column("stat_date", "date YYYY-MM-DD", "Report day, UTC+8.", required=True),
            Column("advertiser_id", "string", "Ocean Engine advertiser account id.", True),
            Column("campaign_id", "string", "Campaign id.", True),
            Column("campaign_name", "string", "Campaign name; A/B arms end in '_A' / '_B'."),
            Column("ad_id", "string", "Ad (plan) id.", True),
            Column("ad_name", "string", "Ad name."),
            Column(
                "stat_cost",
                "decimal, yuan of currency",
                "Spend in yuan (or units of currency) with 2 decimals.",
                True,
            ),
            currency_column("Currency of the cost; empty means CNY."),
            Column("show_cnt", "integer", "Impressions."),
            Column("click_cnt", "integer", "Clicks."),
            Column("convert_cnt", "integer", "Platform-reported conversions."),
        ),
    ),
    SourceTable(
        family="ads",
        table="tencent_ads_daily",
        description="Tencent Ads (Guangdiantong) ad-group daily report from the Marketing API.",
        primary_key=("date", "adgroup_id"),
        notes=(CURRENCY_NOTE,),
        columns=(
            Column("date", "date YYYY-MM-DD", "Report day, UTC+8.", required=True),
            Column("account_id", "string", "Tencent Ads account id.", True),
            Column("campaign_id", "string", "Campaign id.", True),
            Column("campaign_name", "string", "Campaign name."),
            Column("adgroup_id", "string", "Ad group id.", True),
            Column("adgroup_name", "string", "Ad group name."),
            Column(
                "cost",
                "integer, fen of currency",
                "Spend in fen (1/100 yuan, or hundredths of currency), as the API reports it.",
                True,
            ),
            currency_column("Currency of the cost; empty means CNY."),
            Column("view_count", "integer", "Impressions."),
            Column("valid_click_count", "integer", "Clicks."),
            Column("conversions_count", "integer", "Platform-reported conversions."),
        ),
    ),
    SourceTable(
        family="ads",
        table="baidu_campaign_daily",
        description="Baidu search promotion (Fengchao) unit daily report, an Excel CSV export.",
        primary_key=("date", "unit_id"),
        encoding="utf-8-sig",
        notes=("Excel exports carry a UTF-8 byte-order mark.", CURRENCY_NOTE),
        columns=(
            Column("date", "date YYYY/MM/DD", "Report day, UTC+8.", required=True),
            Column("account_name", "string", "Baidu account name.", True),
            Column("campaign_id", "string", "Campaign (plan) id.", True),
            Column("campaign_name", "string", "Campaign name."),
            Column("unit_id", "string", "Ad unit id.", True),
            Column("unit_name", "string", "Ad unit name."),
            Column(
                "cost", "decimal, yuan of currency", "Spend in yuan (or units of currency).", True
            ),
            currency_column("Currency of the cost; empty means CNY."),
            Column("impression", "integer", "Impressions."),
            Column("click", "integer", "Clicks."),
            Column("conversion", "integer", "Platform-reported conversions."),
        ),
    ),
    SourceTable(
        family="ads",
        table="ad_clicks",
        description="Click-level touchpoints from platform click callbacks (one row per click).",
        primary_key=("click_id",),
        notes=(
            "platform arrives in English or Chinese: 'ocean_engine', 'Douyin', '巨量引擎', "
            "'tencent_ads', '广点通', 'baidu', '百度'.",
            TIMESTAMP_FORMATS_NOTE,
        ),
        columns=(
            Column("click_id", "string", "Platform click id (clickid / gdt_vid / bd_vid).", True),
            Column("platform", "string", "Ad platform name, English or Chinese.", True),
            Column("campaign_id", "string", "Campaign id the click belongs to.", True),
            Column("ad_id", "string", "Ad / ad-group / unit id."),
            Column("click_time", "timestamp, mixed formats", "When the click happened.", True),
            Column(
                "openid", "string", "Mini-program openid when the user landed logged in.", pii=True
            ),
        ),
    ),
    # --- private domain (WeCom / SCRM, mini-program, community) ----------------------------
    SourceTable(
        family="scrm",
        table="wecom_contacts",
        exports_only_changes=True,
        description="WeCom external contacts from the SCRM: one row per contact add or change.",
        primary_key=("external_userid", "updated_at"),
        notes=(PHONE_NOTE, "add_time and updated_at are Unix epoch seconds (UTC)."),
        columns=(
            Column("external_userid", "string", "WeCom external user id.", True, pii=True),
            Column(
                "unionid", "string", "WeChat unionid, when the contact is a WeChat user.", pii=True
            ),
            Column("nickname", "string", "WeChat nickname.", pii=True),
            Column("phone", "string", "Phone given by the contact, if any.", pii=True),
            Column("tags", "string", "Tags separated by '|', e.g. 'mom|stroller_interest'."),
            Column("owner_userid", "string", "Staff member who owns the contact.", True),
            Column("add_time", "integer, epoch seconds UTC", "When the contact was added.", True),
            Column(
                "marketing_consent",
                "string '1'/'0'/'true'/'false'/'是'/'否'",
                "Consent to marketing messages.",
            ),
            Column("opt_out", "string '1'/'0'", "Contact asked to receive no messages."),
            Column("updated_at", "integer, epoch seconds UTC", "Last change in the SCRM.", True),
        ),
    ),
    SourceTable(
        family="scrm",
        table="miniprogram_events",
        description="Mini-program / app tracking events (view, add_to_cart, share, page_view).",
        primary_key=("event_id",),
        notes=("event_time is Unix epoch milliseconds (UTC), as tracking SDKs send it.",),
        columns=(
            Column("event_id", "string", "Tracking event id.", True),
            Column("openid", "string", "Mini-program openid.", True, pii=True),
            Column("unionid", "string", "WeChat unionid once the user authorised it.", pii=True),
            Column("event_name", "string", "view, add_to_cart, share or page_view.", True),
            Column("page", "string", "Page path."),
            Column("product_sku", "string", "Product SKU for product events."),
            Column("campaign_id", "string", "utm campaign id when the session came from an ad."),
            Column(
                "event_time", "integer, epoch milliseconds UTC", "When the event happened.", True
            ),
        ),
    ),
    SourceTable(
        family="scrm",
        table="community_interactions",
        description="WeCom customer-group (community) interactions and 1:1 message touches.",
        primary_key=("interaction_id",),
        notes=(TIMESTAMP_FORMATS_NOTE,),
        columns=(
            Column("interaction_id", "string", "Interaction id.", True),
            Column("group_id", "string", "Customer group id; empty for 1:1 messages."),
            Column("external_userid", "string", "WeCom external user id.", True, pii=True),
            Column(
                "interaction_type",
                "string",
                "message, reaction, join, leave, coupon_claim, staff_message.",
                True,
            ),
            Column("message_variant", "string", "A/B variant of a staff broadcast ('A'/'B')."),
            Column("interaction_time", "timestamp, mixed formats", "When it happened.", True),
        ),
    ),
    # --- transactions -----------------------------------------------------------------------
    SourceTable(
        family="shop",
        table="stores",
        exports_only_changes=True,
        description="Store master data: online shops and offline stores.",
        primary_key=("store_id",),
        columns=(
            Column("store_id", "string", "Store id.", True),
            Column("store_name", "string", "Store name."),
            Column("channel", "string", "'online' or 'offline'.", True),
            Column(
                "platform",
                "string",
                "Online platform: mini_program, tmall, jd, web (the brand's own web shop) or "
                "app (its mobile app), English or Chinese; empty for offline stores.",
                # Empty for offline stores; the Chinese names are what store systems often export.
                expected_values=("", *STORE_PLATFORMS, "小程序", "天猫", "京东", "官网", "APP"),
            ),
            Column("city", "string", "City."),
            Column("opened_date", "date YYYY-MM-DD", "Opening day."),
        ),
    ),
    SourceTable(
        family="shop",
        table="members",
        exports_only_changes=True,
        description="Loyalty members registered in store or in the mini-program.",
        primary_key=("member_id",),
        notes=(PHONE_NOTE, TIMESTAMP_FORMATS_NOTE),
        columns=(
            Column("member_id", "string", "Loyalty member id.", True, pii=True),
            Column("phone", "string", "Registered phone.", pii=True),
            Column("email", "string", "E-mail, any case, may carry spaces.", pii=True),
            Column(
                "unionid", "string", "WeChat unionid when registered in the mini-program.", pii=True
            ),
            Column("openid", "string", "Mini-program openid when registered there.", pii=True),
            Column("registered_at", "timestamp, mixed formats", "Registration time.", True),
            Column("home_store_id", "string", "Store where the member registered."),
        ),
    ),
    SourceTable(
        family="shop",
        table="orders",
        never_empty=True,
        description="Order headers from the order system (online and offline / POS).",
        primary_key=("order_id",),
        notes=(
            PHONE_NOTE,
            TIMESTAMP_FORMATS_NOTE,
            "A re-exported order replaces the older row with the later updated_at.",
            CURRENCY_NOTE,
            "Order lines, payments and refunds are in their order's currency and are converted "
            "at their order's rate.",
        ),
        columns=(
            Column("order_id", "string", "Order id.", True),
            Column("store_id", "string", "Store id.", True),
            Column("member_id", "string", "Loyalty member id, if the buyer is a member.", pii=True),
            Column("buyer_phone", "string", "Buyer phone, if given.", pii=True),
            Column("openid", "string", "Mini-program openid for mini-program orders.", pii=True),
            Column("order_time", "timestamp, mixed formats", "When the order was placed.", True),
            Column(
                "order_status",
                "string",
                "paid, cancelled or completed.",
                True,
                expected_values=("paid", "completed", "cancelled"),
            ),
            Column(
                "total_amount",
                "decimal, yuan of currency",
                "Order amount before discount, in yuan (or units of the order's currency).",
                True,
                expected_pattern=r"^-?[0-9]+(\.[0-9]{1,2})?$",
            ),
            Column("discount_amount", "decimal, yuan of currency", "Discount granted."),
            Column("referral_code", "string", "Referral code used at checkout."),
            currency_column(
                "Currency of the order's amounts and of its lines, payments and refunds; empty "
                "means CNY. CNY in the demo data unless asked otherwise."
            ),
            Column("updated_at", "timestamp, mixed formats", "Last change of the order.", True),
        ),
    ),
    SourceTable(
        family="shop",
        table="order_items",
        description="Order lines.",
        primary_key=("order_id", "line_number"),
        columns=(
            Column("order_id", "string", "Order id.", True),
            Column("line_number", "integer", "Line number within the order.", True),
            Column("product_sku", "string", "Product SKU.", True),
            Column("product_name", "string", "Product name."),
            Column("category", "string", "Product category (stroller, safety_seat, ...)."),
            Column("quantity", "integer", "Units.", True),
            Column(
                "unit_price",
                "decimal, yuan of currency",
                "Price per unit, in the order's currency.",
                True,
            ),
        ),
    ),
    SourceTable(
        family="shop",
        table="payments",
        description="Payments captured for orders.",
        primary_key=("payment_id",),
        notes=(TIMESTAMP_FORMATS_NOTE,),
        columns=(
            Column("payment_id", "string", "Payment id.", True),
            Column("order_id", "string", "Order id.", True),
            Column("payment_method", "string", "wechat_pay, alipay, card or cash.", True),
            Column(
                "amount", "decimal, yuan of currency", "Amount paid, in the order's currency.", True
            ),
            Column("paid_at", "timestamp, mixed formats", "When the payment was captured.", True),
        ),
    ),
    SourceTable(
        family="shop",
        table="refunds",
        exports_only_changes=True,
        description="Refunds, each its own row, possibly days after the order.",
        primary_key=("refund_id",),
        notes=(TIMESTAMP_FORMATS_NOTE,),
        columns=(
            Column("refund_id", "string", "Refund id.", True),
            Column("order_id", "string", "Refunded order id.", True),
            Column(
                "refund_amount",
                "decimal, yuan of currency",
                "Amount refunded (positive), in the order's currency.",
                True,
            ),
            Column("refunded_at", "timestamp, mixed formats", "When the refund was made.", True),
            Column("reason", "string", "Refund reason."),
        ),
    ),
    SourceTable(
        family="shop",
        table="fx_rates",
        exports_only_changes=True,
        lookup=True,
        description="Daily exchange rates: CNY yuan for one unit of a foreign currency.",
        primary_key=("rate_date", "currency"),
        notes=(
            "Rates may arrive once for a whole history or day by day; a later export of the same "
            "rate_date and currency replaces the earlier one.",
            "An amount in a foreign currency takes the latest rate on or before its China-time "
            "day, at most fx_rate_max_age_days (dbt var, default 7) days old; CNY needs no rate.",
        ),
        columns=(
            Column("rate_date", "date YYYY-MM-DD", "Day the rate applies from, UTC+8.", True),
            Column(
                "currency",
                "string, ISO 4217 code",
                "Foreign currency, e.g. USD, HKD, EUR, JPY.",
                True,
                expected_pattern=CURRENCY_PATTERN,
            ),
            Column(
                "cny_per_unit",
                "decimal, CNY yuan",
                "CNY yuan for one unit of the currency (e.g. 7.1 for USD, 0.047 for JPY).",
                True,
                expected_pattern=r"^[0-9]+(\.[0-9]+)?$",
            ),
            Column("source", "string", "Where the rate comes from (e.g. a central bank fixing)."),
        ),
    ),
    SourceTable(
        family="shop",
        table="referral_codes",
        exports_only_changes=True,
        description="Referral codes handed out to members (old-brings-new programme).",
        primary_key=("referral_code",),
        notes=(TIMESTAMP_FORMATS_NOTE,),
        columns=(
            Column("referral_code", "string", "Code printed on the invitation.", True),
            Column("referrer_member_id", "string", "Member who owns the code.", True, pii=True),
            Column("created_at", "timestamp, mixed formats", "When the code was issued.", True),
        ),
    ),
)

SOURCES_BY_NAME: dict[str, SourceTable] = {source.name: source for source in SOURCES}
FAMILIES: tuple[str, ...] = ("ads", "scrm", "shop")
# What each family's exports hold, the first sentence of its dbt source description.
FAMILY_DESCRIPTIONS: dict[str, str] = {
    "ads": "Ad platform exports: Ocean Engine, Tencent Ads and Baidu daily reports, and click "
    "callbacks.",
    "scrm": "Private-domain exports: WeCom contacts from the SCRM, mini-program tracking events "
    "and community interactions.",
    "shop": "Transaction exports: stores, loyalty members, orders, order lines, payments, refunds, "
    "daily exchange rates and referral codes.",
}


def get_source(name: str) -> SourceTable:
    """Return a source by ``<family>__<table>`` name, with a clear error for unknown names."""
    try:
        return SOURCES_BY_NAME[name]
    except KeyError:
        known = ", ".join(sorted(SOURCES_BY_NAME))
        raise KeyError(f"unknown source {name!r}; known sources: {known}") from None
