"""Deterministic demo landing data: a year of exports of a mother-and-baby brand.

A latent population of people behaves (buys, browses the mini-program, clicks ads, joins WeCom
groups), and every source system exports what it saw of them in the shapes ``contract.py``
defines. Each source knows only some of a person's identifiers, as real exports do, so the
warehouse has to stitch identities: orders carry a member id and/or a phone and/or an openid,
members carry phone, e-mail, unionid and openid, WeCom contacts carry a unionid and sometimes a
phone, mini-program events an openid and sometimes a unionid, ad clicks sometimes an openid.

Behaviour:

- 15% of people are known only in the private domain (WeCom, mini-program) and never buy.
- Buyers follow a BG/NBD-like process: an individual purchase rate (gamma), a chance to drop out
  after every purchase (beta), a first purchase up to a year before or anywhere in the window;
  demand has a weekly cycle and 6.18 / 11.11 pre-sale and peak days. Order values follow an
  individual spend level (gamma) that drives basket size, quantities and price tier.
- Stroller buyers often buy a safety seat within 90 days; WeCom staff broadcasts (variants A/B,
  B converts better) trigger some orders; members hand out referral codes used on first orders.
- Ad daily reports have click-through rates of 0.5-3%; click callbacks are a sample of the
  reported clicks plus clicks of people who buy within three days.

Mess injected in small shares (about 0.5-2% each unless stated) for the staging rules:

- exact duplicate rows in every table except stores, referral codes and the Tencent and Baidu
  reports; re-exported orders (same order_id, status ``completed``, later ``updated_at``) in a
  later day's file;
- phones as ``13812345678`` (about 91%), ``+86 138 1234 5678``, ``86-138-1234-5678``,
  ``138 1234 5678``, full-width digits, or too short (9 digits, invalid);
- e-mails upper-cased, capitalised or with surrounding spaces;
- timestamps as ``YYYY-MM-DD HH:MM:SS`` (90%), ``YYYY/MM/DD HH:MM`` (5%) in China time or ISO
  ``YYYY-MM-DDTHH:MM:SSZ`` in UTC (5%); ``not-a-date`` in a few order, click and interaction rows;
- orders without any customer identifier, negative quantities on a few order lines, empty
  optional fields; ad-click platforms in English or Chinese; consent as 1/0/true/false/是/否.

Files: one per export day (China time) that has rows: the day of ``updated_at`` for orders and
contacts, of registration or issue for members and referral codes, of the event for everything
else, of the report for ad reports; stores in one file on the first day. Members and contacts
created before the window arrive in the first day's files, as an initial full export would bring
them (contacts with their latest state only). Baidu files carry a UTF-8 byte-order mark and CRLF
line ends, as Excel writes them. Files are byte-identical for the same arguments. People are
generated in blocks, so memory follows the block size, not the population.

The people can be simulated past the last export day (``simulate_through``; the command line's
``--nightly-days``); ``append_day`` then writes the next export day's files next to the existing
ones, exactly as a generation of one more day over the same window would (``make nightly``).
``.demo_files.json`` in the landing folder lists the files written and records the generation.

Money is CNY: ad reports say so in their ``currency`` column and orders leave it empty in about
1% of rows. ``shop__fx_rates`` still gets one rate per day for USD, HKD, EUR and JPY
(``currencies``, the table in docs/sources.md); ``--foreign-currency-share`` writes that share of
orders (chosen by a hash of the order id, no random draw) with their lines, payments and refunds
in one of those currencies at those rates, for trying the conversion. At 0 (the default) the
other files are the same as without rates.

``Activity`` multipliers (``--orders-scale``, ``--events-scale``, ``--clicks-scale``) raise the
orders, mini-program events and ad clicks per person for benchmark mixes; at 1 (the default) the
output is the demo's, byte for byte.

Modules: ``generator`` (``generate``, block by block), ``people`` (the latent population),
``shop``, ``private_domain`` and ``ad_clicks`` (behaviour), ``mess`` (injected mess),
``shop_exports``, ``scrm_exports`` and ``ads_exports`` (the export shapes, columns from the
contract), ``currencies`` (exchange rates), ``writing`` (CSV files). The command line is
``python -m dagster_project.cli.demo_data``.
"""
