"""Excel's own worksheet-function names and how a file stores them (the
validator, the refresh engine and ``jixiao fix`` read them here).

Two facts decide whether a name in a formula is right:

* :data:`FUTURE_FUNCTIONS` — functions added after Excel 2007. A file must
  store them with the ``_xlfn.`` prefix (``_xlfn.RANK.EQ``, ``_xlfn.XLOOKUP``;
  the dynamic-array ones as ``_xlfn._xlws.SORT``/``_xlfn._xlws.FILTER``), or
  Excel and LibreOffice show ``#NAME?``.
* :data:`BUILTIN_FUNCTIONS` — every other Excel worksheet function a template
  may reasonably use. A name that is in neither list and is not one of ours
  (:mod:`addin.registry`) is a typo or a function the user's Excel lacks.

>>> needs_prefix("RANK.EQ"), needs_prefix("RANK"), needs_prefix("SUMIFS")
(True, False, False)
>>> is_excel_function("VLOOKUP"), is_excel_function("TIRED")
(True, False)
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

__all__ = [
    "BUILTIN_FUNCTIONS",
    "FUTURE_FUNCTIONS",
    "OTHER_FUNCTIONS",
    "add_prefixes",
    "is_excel_function",
    "misspelling_of",
    "needs_prefix",
    "stored_name",
    "unprefixed_calls",
]


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``: lists stay readable as prose."""
    return frozenset(text.split())

#: Functions introduced after Excel 2007 (stored as ``_xlfn.NAME``).
FUTURE_FUNCTIONS: frozenset[str] = _words(
    """
    AGGREGATE ARABIC BASE BETA.DIST BETA.INV BINOM.DIST BINOM.DIST.RANGE BINOM.INV BITAND
    BITLSHIFT BITOR BITRSHIFT BITXOR BYCOL BYROW CEILING.MATH CEILING.PRECISE CHISQ.DIST
    CHISQ.DIST.RT CHISQ.INV CHISQ.INV.RT CHISQ.TEST CHOOSECOLS CHOOSEROWS COMBINA CONCAT
    CONFIDENCE.NORM CONFIDENCE.T COT COTH COVARIANCE.P COVARIANCE.S CSC CSCH DAYS DECIMAL DROP
    ERF.PRECISE ERFC.PRECISE EXPAND EXPON.DIST F.DIST F.DIST.RT F.INV F.INV.RT F.TEST FILTER
    FILTERXML FLOOR.MATH FLOOR.PRECISE FORECAST.ETS FORECAST.LINEAR FORMULATEXT GAMMA GAMMA.DIST
    GAMMA.INV GAMMALN.PRECISE GAUSS HSTACK IFNA IFS IMCOSH IMCOT IMCSC IMCSCH IMSEC IMSECH
    IMSINH IMTAN ISFORMULA ISOMITTED ISOWEEKNUM LAMBDA LET LOGNORM.DIST LOGNORM.INV MAKEARRAY
    MAP MAXIFS MINIFS MODE.MULT MODE.SNGL MUNIT NEGBINOM.DIST NORM.DIST NORM.INV
    NORM.S.DIST NORM.S.INV NUMBERVALUE PDURATION PERCENTILE.EXC PERCENTILE.INC PERCENTRANK.EXC
    PERCENTRANK.INC PERMUTATIONA PHI POISSON.DIST QUARTILE.EXC QUARTILE.INC RANDARRAY RANK.AVG
    RANK.EQ REDUCE RRI SCAN SEC SECH SEQUENCE SHEET SHEETS SKEW.P SORT SORTBY STDEV.P STDEV.S
    SWITCH T.DIST T.DIST.2T T.DIST.RT T.INV T.INV.2T T.TEST TAKE TEXTAFTER TEXTBEFORE TEXTJOIN
    TEXTSPLIT TOCOL TOROW UNICHAR UNICODE UNIQUE VALUETOTEXT VAR.P VAR.S VSTACK WEBSERVICE
    WEIBULL.DIST WRAPCOLS WRAPROWS XLOOKUP XMATCH XOR Z.TEST ARRAYTOTEXT
    ACOT ACOTH DBCS ENCODEURL FORECAST.ETS.CONFINT FORECAST.ETS.SEASONALITY
    FORECAST.ETS.STAT HYPGEOM.DIST GROUPBY PIVOTBY PERCENTOF TRIMRANGE REGEXTEST REGEXEXTRACT
    REGEXREPLACE STOCKHISTORY FIELDVALUE IMAGE ANCHORARRAY SINGLE TRANSLATE DETECTLANGUAGE
    """
)

#: Excel 2007 worksheet functions (stored without a prefix), and the two
#: Excel 2010 ones ISO/IEC 29500 defines, which Excel reads without a prefix
#: too (NETWORKDAYS.INTL, WORKDAY.INTL: Excel-saved files in the corpus store
#: them bare and Excel computed them).
BUILTIN_FUNCTIONS: frozenset[str] = _words(
    """
    ABS ACCRINT ACCRINTM ACOS ACOSH ADDRESS AMORDEGRC AMORLINC AND AREAS ASIN ASINH ATAN ATAN2
    ATANH AVEDEV AVERAGE AVERAGEA AVERAGEIF AVERAGEIFS BAHTTEXT BESSELI BESSELJ BESSELK BESSELY
    BETADIST BETAINV BIN2DEC BIN2HEX BIN2OCT BINOMDIST CEILING CELL CHAR CHIDIST CHIINV CHITEST CHOOSE
    CLEAN CODE COLUMN COLUMNS COMBIN COMPLEX CONCATENATE CONFIDENCE CONVERT CORREL COS COSH COUNT
    COUNTA COUNTBLANK COUNTIF COUNTIFS COUPDAYBS COUPDAYS COUPDAYSNC COUPNCD COUPNUM COUPPCD
    COVAR CRITBINOM CUMIPMT CUMPRINC DATE DATEDIF DATEVALUE DAVERAGE DAY DAYS360 DB DCOUNT
    DCOUNTA DDB DEC2BIN DEC2HEX DEC2OCT DEGREES DELTA DEVSQ DGET DISC DMAX DMIN DOLLAR DOLLARDE
    DOLLARFR DPRODUCT DSTDEV DSTDEVP DSUM DURATION DVAR DVARP EDATE EFFECT EOMONTH ERF ERFC
    ERROR.TYPE EVEN EXACT EXP EXPONDIST FACT FACTDOUBLE FALSE FDIST FIND FINV FISHER FISHERINV
    FIXED FLOOR FORECAST FREQUENCY FTEST FV FVSCHEDULE GAMMADIST GAMMAINV GAMMALN GCD GEOMEAN
    GESTEP GETPIVOTDATA GROWTH HARMEAN HEX2BIN HEX2DEC HEX2OCT HLOOKUP HOUR HYPERLINK HYPGEOMDIST
    IF IFERROR IMABS IMAGINARY IMARGUMENT IMCONJUGATE IMCOS IMDIV IMEXP IMLN IMLOG10 IMLOG2
    IMPOWER IMPRODUCT IMREAL IMSIN IMSQRT IMSUB IMSUM INDEX INDIRECT INFO INT INTERCEPT INTRATE
    IPMT IRR ISBLANK ISERR ISERROR ISEVEN ISLOGICAL ISNA ISNONTEXT ISNUMBER ISODD ISPMT ISREF
    ISTEXT KURT LARGE LCM LEFT LEN LINEST LN LOG LOG10 LOGEST LOGINV LOGNORMDIST LOOKUP LOWER
    MATCH MAX MAXA MDETERM MDURATION MEDIAN MID MIN MINA MINUTE MINVERSE MIRR MMULT MOD MODE
    MONTH MROUND MULTINOMIAL N NA NEGBINOMDIST NETWORKDAYS NETWORKDAYS.INTL NOMINAL NORMDIST NORMINV NORMSDIST
    NORMSINV NOT NOW NPER NPV OCT2BIN OCT2DEC OCT2HEX ODD ODDFPRICE ODDFYIELD ODDLPRICE ODDLYIELD
    OFFSET OR PEARSON PERCENTILE PERCENTRANK PERMUT PI PMT POISSON POWER PPMT PRICE PRICEDISC
    PRICEMAT PROB PRODUCT PROPER PV QUARTILE QUOTIENT RADIANS RAND RANDBETWEEN RANK RATE
    RECEIVED REPLACE REPT RIGHT ROMAN ROUND ROUNDDOWN ROUNDUP ROW ROWS RSQ RTD SEARCH SECOND
    SERIESSUM SIGN SIN SINH SKEW SLN SLOPE SMALL SQRT SQRTPI STANDARDIZE STDEV STDEVA STDEVP
    STDEVPA STEYX SUBSTITUTE SUBTOTAL SUM SUMIF SUMIFS SUMPRODUCT SUMSQ SUMX2MY2 SUMX2PY2 SUMXMY2
    SYD T TAN TANH TBILLEQ TBILLPRICE TBILLYIELD TDIST TEXT TIME TIMEVALUE TINV TODAY TRANSPOSE
    TREND TRIM TRIMMEAN TRUE TRUNC TTEST TYPE UPPER VALUE VAR VARA VARP VARPA VDB VLOOKUP WEEKDAY
    WEEKNUM WEIBULL WORKDAY WORKDAY.INTL XIRR XNPV YEAR YEARFRAC YIELD YIELDDISC YIELDMAT ZTEST
    """
)


#: Excel worksheet functions a template is unlikely to call (double-byte text,
#: OLAP cubes, the ISO/IEC 29500 ceilings Excel stores bare, the Excel 4 macro
#: functions defined names may hold, add-in stubs), kept so that a name Excel knows is never taken for a typo; how a
#: file stores them is not checked.
OTHER_FUNCTIONS: frozenset[str] = _words(
    """
    ASC CALL CUBEKPIMEMBER CUBEMEMBER CUBEMEMBERPROPERTY CUBERANKEDMEMBER CUBESET CUBESETCOUNT
    CUBEVALUE ECMA.CEILING EUROCONVERT FINDB ISO.CEILING JIS LEFTB LENB MIDB PHONETIC REGISTER.ID REPLACEB
    RIGHTB SEARCHB SQL.REQUEST USDOLLAR YEN COPILOT PY
    ACTIVE.CELL CALLER DOCUMENTS EVALUATE FILES GET.CELL GET.DEF GET.DOCUMENT GET.FORMULA
    GET.NAME GET.NOTE GET.WINDOW GET.WORKBOOK GET.WORKSPACE SELECTION
    """
)


def needs_prefix(name: str) -> bool:
    """Whether Excel stores ``name`` (without prefix, any case) as ``_xlfn.NAME``."""
    return name.upper() in FUTURE_FUNCTIONS


def is_excel_function(name: str) -> bool:
    """Whether ``name`` (without prefix, any case) is an Excel worksheet function."""
    upper = name.upper()
    return upper in BUILTIN_FUNCTIONS or upper in FUTURE_FUNCTIONS or upper in OTHER_FUNCTIONS


_EXCEL_NAMES = sorted(BUILTIN_FUNCTIONS | FUTURE_FUNCTIONS | OTHER_FUNCTIONS)


def misspelling_of(name: str, also: Iterable[str] = ()) -> str:
    """The Excel function (or one of ``also``) that ``name`` is a likely
    misspelling of, by similarity of spelling; "" if none is close.

    >>> misspelling_of("SUMM"), misspelling_of("VLOKUP"), misspelling_of("CalcBonus")
    ('SUM', 'VLOOKUP', '')
    """
    names = sorted(set(_EXCEL_NAMES) | set(also)) if also else _EXCEL_NAMES
    close = difflib.get_close_matches(name.upper(), names, n=1, cutoff=0.75)
    return close[0] if close else ""


#: functions Excel stores under ``_xlfn._xlws.`` (the dynamic-array sheet functions)
_XLWS = frozenset({"FILTER", "SORT"})

#: a string literal, or a function name followed by "(" that is not part of a
#: longer name, not after a "." (so ``_xlfn.RANK.EQ(`` is not ``RANK.EQ(``) nor
#: a sheet's "!"
_CALL = re.compile(r'"(?:[^"]|"")*"|(?<![A-Za-z0-9_.!$\]])([A-Za-z][A-Za-z0-9.]*)(\s*\()')


def stored_name(name: str) -> str:
    """How a file stores the function ``name`` (upper case, without prefix).

    >>> stored_name("RANK.EQ"), stored_name("SORT"), stored_name("SUM")
    ('_xlfn.RANK.EQ', '_xlfn._xlws.SORT', 'SUM')
    """
    upper = name.upper()
    if upper in _XLWS:
        return f"_xlfn._xlws.{upper}"
    return f"_xlfn.{upper}" if upper in FUTURE_FUNCTIONS else upper


def unprefixed_calls(text: str) -> set[str]:
    """The newer functions formula ``text`` calls without their storage prefix
    (upper case); string literals are not read.

    >>> sorted(unprefixed_calls('IFS(A1>1,RANK.EQ(A1,A:A),TRUE,"IFS(")+_xlfn.XLOOKUP(1,B:B,C:C)'))
    ['IFS', 'RANK.EQ']
    """
    return {
        name
        for m in _CALL.finditer(text)
        if m.group(1) is not None and (name := m.group(1).upper()) in FUTURE_FUNCTIONS
    }


def add_prefixes(text: str, added: dict[str, int] | None = None) -> str:
    """``text`` with each newer function's storage prefix added (string
    literals untouched); ``added`` counts the calls repaired, by function.

    >>> add_prefixes('IFS(A1>1,RANK.EQ(A1,A:A),"IFS(")+_xlfn.XLOOKUP(1,B:B,C:C)+sort(A1:A3)')
    '_xlfn.IFS(A1>1,_xlfn.RANK.EQ(A1,A:A),"IFS(")+_xlfn.XLOOKUP(1,B:B,C:C)+_xlfn._xlws.SORT(A1:A3)'
    """

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name is None or name.upper() not in FUTURE_FUNCTIONS:
            return m.group(0)
        if added is not None:
            added[name.upper()] = added.get(name.upper(), 0) + 1
        return stored_name(name) + m.group(2)

    return _CALL.sub(one, text)
