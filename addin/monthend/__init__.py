"""Month-end tools for finance: compare two versions of a pay workbook
(:mod:`addin.monthend.diff`, report in :mod:`addin.monthend.report`) and
explain one payout (:mod:`addin.monthend.explain`).

月结工具：比较两版工资工作簿、解释某一笔奖金。
"""
