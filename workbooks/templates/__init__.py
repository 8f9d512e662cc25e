"""The eight templates, one module each; :data:`REGISTRY` maps id -> builder."""

from __future__ import annotations

from collections.abc import Callable

from workbooks.model import Template
from workbooks.templates import (
    t1_gongxiaoshe,
    t2_wangxiao,
    t3_hujiao,
    t4_baoxian,
    t5_xiaoshou,
    t6_weixi,
    t7_weixiu,
    t8_xiaoshoubu,
)

REGISTRY: dict[str, Callable[..., Template]] = {
    t1_gongxiaoshe.ID: t1_gongxiaoshe.template,
    t2_wangxiao.ID: t2_wangxiao.template,
    t3_hujiao.ID: t3_hujiao.template,
    t4_baoxian.ID: t4_baoxian.template,
    t5_xiaoshou.ID: t5_xiaoshou.template,
    t6_weixi.ID: t6_weixi.template,
    t7_weixiu.ID: t7_weixiu.template,
    t8_xiaoshoubu.ID: t8_xiaoshoubu.template,
}
