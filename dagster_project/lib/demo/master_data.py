"""Master data of the brand: stores, catalogue, staff, tags and ad platforms."""

from __future__ import annotations

import numpy as np

# store_id, name, channel, platform, city, days opened before the window, share of orders
_STORES = (
    ("ST001", "小星星母婴官方小程序", "online", "mini_program", "", 2300, 0.22),
    ("ST002", "小星星母婴天猫旗舰店", "online", "tmall", "", 3100, 0.18),
    ("ST003", "小星星母婴京东自营店", "online", "jd", "", 2700, 0.14),
    ("ST004", "小星星母婴 上海静安店", "offline", "", "上海", 2900, 0.08),
    ("ST005", "小星星母婴 上海徐汇店", "offline", "", "上海", 1800, 0.07),
    ("ST006", "小星星母婴 北京朝阳店", "offline", "", "北京", 2500, 0.08),
    ("ST007", "小星星母婴 杭州西湖店", "offline", "", "杭州", 1500, 0.06),
    ("ST008", "小星星母婴 南京新街口店", "offline", "", "南京", 1200, 0.05),
    ("ST009", "小星星母婴 深圳南山店", "offline", "", "深圳", 900, 0.07),
    ("ST010", "小星星母婴 成都春熙路店", "offline", "", "成都", 400, 0.05),
)
MINI_PROGRAM, TMALL, JD = 0, 1, 2
FIRST_OFFLINE = 3
_STORE_SHARES = np.array([store[6] for store in _STORES])
_OFFLINE_SHARES = _STORE_SHARES[FIRST_OFFLINE:] / _STORE_SHARES[FIRST_OFFLINE:].sum()

CATEGORIES = ("stroller", "safety_seat", "diapers", "formula", "toys", "clothing")
STROLLER, SAFETY_SEAT, DIAPERS, FORMULA, TOYS, CLOTHING = range(len(CATEGORIES))
_CATEGORY_SHARES = np.array([0.07, 0.05, 0.35, 0.25, 0.13, 0.15])
# sku, name, category, price in yuan; cheapest first within a category (price tiers)
_CATALOG = (
    ("STR-101", "轻便伞车", STROLLER, 599),
    ("STR-102", "双向高景观推车", STROLLER, 1299),
    ("STR-103", "一键折叠推车 Pro", STROLLER, 2199),
    ("STR-104", "旗舰碳纤维推车", STROLLER, 3899),
    ("SS-201", "便携提篮式安全座椅", SAFETY_SEAT, 699),
    ("SS-202", "ISOFIX 安全座椅", SAFETY_SEAT, 1499),
    ("SS-203", "360度旋转安全座椅", SAFETY_SEAT, 2599),
    ("SS-204", "旗舰智能安全座椅", SAFETY_SEAT, 3699),
    ("DP-301", "纸尿裤 NB 84片", DIAPERS, 109),
    ("DP-302", "纸尿裤 M 62片", DIAPERS, 129),
    ("DP-303", "拉拉裤 L 48片", DIAPERS, 139),
    ("DP-304", "高端纸尿裤 XL 42片", DIAPERS, 189),
    ("FM-401", "婴儿配方奶粉 1段 800g", FORMULA, 239),
    ("FM-402", "较大婴儿配方奶粉 2段 800g", FORMULA, 259),
    ("FM-403", "幼儿配方奶粉 3段 800g", FORMULA, 229),
    ("FM-404", "有机配方奶粉 3段 800g", FORMULA, 379),
    ("TY-501", "安抚玩偶", TOYS, 59),
    ("TY-502", "益智积木", TOYS, 129),
    ("TY-503", "早教点读机", TOYS, 299),
    ("CL-601", "纯棉连体衣", CLOTHING, 79),
    ("CL-602", "婴儿睡袋", CLOTHING, 159),
    ("CL-603", "外出防风服", CLOTHING, 259),
)
_SKU = np.array([item[0] for item in _CATALOG])
_SKU_NAME = np.array([item[1] for item in _CATALOG])
_SKU_CATEGORY = np.array([item[2] for item in _CATALOG])
_SKU_PRICE_FEN = np.array([item[3] * 100 for item in _CATALOG], dtype=np.int64)
_CATEGORY_FIRST_SKU = np.searchsorted(_SKU_CATEGORY, np.arange(len(CATEGORIES)))
_CATEGORY_SKU_COUNT = np.bincount(_SKU_CATEGORY, minlength=len(CATEGORIES))

_STAFF = (
    "ZhangWei",
    "LiNa",
    "WangFang",
    "LiuYang",
    "ChenJing",
    "YangLi",
    "ZhaoMin",
    "HuangLei",
    "ZhouTing",
    "WuHao",
    "XuLing",
    "SunQian",
)
_NICK_HEADS = (
    "小",
    "快乐",
    "阳光",
    "安安",
    "乐乐",
    "糖糖",
    "Lily",
    "Coco",
    "豆豆",
    "暖暖",
    "Amy",
    "朵朵",
)
_NICK_TAILS = ("妈妈", "爸爸", "宝妈", "", "的小窝", "🌸", "Mom", "麻麻")
_STAGE_TAGS = ("expecting", "newborn", "infant", "toddler")
_PARENT_TAGS = ("mom", "dad")
_EXTRA_TAGS = ("vip", "price_sensitive", "high_value", "event_attendee")
_EMAIL_DOMAINS = ("163.com", "126.com", "gmail.com", "outlook.com", "sina.com", "icloud.com")
_REFUND_REASONS = ("不想要了", "质量问题", "尺码不合适", "发货太慢", "七天无理由退货", "")
_REFUND_REASON_SHARES = (0.3, 0.15, 0.15, 0.1, 0.2, 0.1)
_INTERACTIONS = ("message", "reaction", "coupon_claim")
_INTERACTION_SHARES = (0.6, 0.33, 0.07)

OCEAN_ENGINE, TENCENT_ADS, BAIDU = 0, 1, 2
_PLATFORM_LABELS = (
    (("ocean_engine", "Douyin", "巨量引擎"), (0.86, 0.07, 0.07)),
    (("tencent_ads", "广点通"), (0.9, 0.1)),
    (("baidu", "百度"), (0.9, 0.1)),
)
# click-through rate range, cost per click range in yuan, per platform
_PLATFORM_CTR = ((0.008, 0.02), (0.006, 0.015), (0.015, 0.028))
_PLATFORM_CPC = ((1.2, 2.5), (1.5, 3.0), (2.5, 6.0))
