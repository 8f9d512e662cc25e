/* The worksheet cell scanner of addin.xlsx.colscan, compiled: one pass over
 * the bytes of <sheetData>, no Python object per cell.
 *
 * It reads exactly the shapes the numpy scanner of colscan.py reads (plain
 * number, shared-string and inline-string cells; formulas written as their own
 * text) and hands every other cell back by its byte offset for the reader's
 * one-by-one path, which decides. It answers None, reading nothing, where the
 * numpy scanner does: a cell whose first attribute is not r="A1", an address
 * out of range, cells out of order or repeated, two t attributes, a comment,
 * CDATA or processing instruction, or a cell tag the general scanner must see
 * ("<c>", "<c/>", "<c" followed by a tab or line end).
 *
 * Numbers are taken only in the plain syntax [+-]digits[.digits][e[+-]digits]
 * and converted by Python's own correctly rounded, locale-independent
 * PyOS_string_to_double; anything else is handed back, so a value means here
 * what it means to the one-by-one path.
 *
 * Every read is bounds-checked against `end`: the input may be hostile.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MAX_ROW 1048576
#define MAX_COL 16384
#define NUMBER 0
#define SHARED 1
#define INLINE 2

typedef struct {
    char *p;
    size_t len, cap;
} Buf;

static int put(Buf *b, const void *x, size_t n) {
    if (n == 0) return 0;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n) cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) return -1;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, x, n);
    b->len += n;
    return 0;
}

typedef struct {
    const char *s;
    Py_ssize_t end;
    const char *pre;
    Py_ssize_t plen;
} Src;

/* whether s[i:] starts with "<" or "</", then the prefix, then `name` */
static int at_tag(const Src *x, Py_ssize_t i, int closing, const char *name) {
    Py_ssize_t n = (Py_ssize_t)strlen(name);
    Py_ssize_t head = closing ? 2 : 1;
    if (i < 0 || i + head + x->plen + n > x->end) return 0;
    if (x->s[i] != '<' || (closing && x->s[i + 1] != '/')) return 0;
    if (x->plen && memcmp(x->s + i + head, x->pre, (size_t)x->plen) != 0) return 0;
    return memcmp(x->s + i + head + x->plen, name, (size_t)n) == 0;
}

static Py_ssize_t tag_len(const Src *x, int closing, const char *name) {
    return (closing ? 2 : 1) + x->plen + (Py_ssize_t)strlen(name);
}

/* the next '<' at or after i (x->end when none) */
static Py_ssize_t next_lt(const Src *x, Py_ssize_t i) {
    if (i >= x->end) return x->end;
    const char *q = memchr(x->s + i, '<', (size_t)(x->end - i));
    return q ? (Py_ssize_t)(q - x->s) : x->end;
}

/* the end ('>') of the tag whose attributes start at i, quotes respected; -1 when none */
static Py_ssize_t tag_end(const Src *x, Py_ssize_t i) {
    char quote = 0;
    for (; i < x->end; i++) {
        char ch = x->s[i];
        if (quote) {
            if (ch == quote) quote = 0;
        } else if (ch == '"' || ch == '\'') {
            quote = ch;
        } else if (ch == '>') {
            return i;
        }
    }
    return -1;
}

#include "_plain_number.h"

/* the number in t[0:n] (plain syntax) into *out; 0 when not one, -1 on a Python error */
static int read_number(const char *t, Py_ssize_t n, double *out) {
    char buf[64];
    if (n < 1 || n >= (Py_ssize_t)sizeof buf || !plain_number(t, n)) return 0;
    memcpy(buf, t, (size_t)n);
    buf[n] = 0;
    char *stop = NULL;
    double v = PyOS_string_to_double(buf, &stop, NULL);
    if (v == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    if (stop != buf + n || !(v - v == 0.0)) return 0; /* not finite: the one-by-one path */
    *out = v;
    return 1;
}

/* the formula attributes read as plain (colscan.PLAIN_FORMULA_ATTRIBUTES), then '>' */
static const char *PLAIN_F[] = {"", " aca=\"false\"", " aca=\"true\"", " ca=\"1\"", " ca=\"true\""};

typedef struct {
    Buf keys, rows, cols, kinds, numbers, texts, rest, inl, forms;
} Out;

static int value(Out *o, int32_t row, int32_t col, uint8_t kind, double number, int32_t text) {
    return put(&o->rows, &row, 4) || put(&o->cols, &col, 4) || put(&o->kinds, &kind, 1) ||
           put(&o->numbers, &number, 8) || put(&o->texts, &text, 4);
}

/* one cell whose tag's attributes end at `gt` ('>'); 1 taken, 0 handed back, -1 error */
static int cell(const Src *x, Out *o, Py_ssize_t at, Py_ssize_t gt, int closed, int tcode, int32_t row,
                int32_t col, Py_ssize_t n_shared, int formula_values) {
    const char *s = x->s;
    Py_ssize_t body = gt + 1;
    if (closed || at_tag(x, body, 1, "c>")) return 1; /* no value */
    if (at_tag(x, body, 0, "v>")) {
        Py_ssize_t t = body + tag_len(x, 0, "v>");
        Py_ssize_t te = next_lt(x, t);
        if (!at_tag(x, te, 1, "v>") || !at_tag(x, te + tag_len(x, 1, "v>"), 1, "c>")) return 0;
        Py_ssize_t n = te - t;
        if (tcode > 1) return 0;
        if (n == 0) return 1; /* an empty <v></v> of a number or shared string: blank */
        if (tcode == 0) {
            double v;
            if (!read_number(s + t, n, &v)) return 0;
            return value(o, row, col, NUMBER, v, -1) ? -1 : 1;
        }
        if (n > 12) return 0;
        int64_t index = 0;
        for (Py_ssize_t i = t; i < te; i++) {
            if (s[i] < '0' || s[i] > '9') return 0;
            index = index * 10 + (s[i] - '0');
        }
        if (index >= n_shared) return 0;
        return value(o, row, col, SHARED, 0.0, (int32_t)index) ? -1 : 1;
    }
    if (at_tag(x, body, 0, "is>") && at_tag(x, body + tag_len(x, 0, "is>"), 0, "t>")) {
        if (tcode != 2) return 0;
        Py_ssize_t t = body + tag_len(x, 0, "is>") + tag_len(x, 0, "t>");
        Py_ssize_t te = next_lt(x, t);
        Py_ssize_t a = te + tag_len(x, 1, "t>"), b = a + tag_len(x, 1, "is>");
        if (!at_tag(x, te, 1, "t>") || !at_tag(x, a, 1, "is>") || !at_tag(x, b, 1, "c>")) return 0;
        int64_t span[3] = {(int64_t)(o->rows.len / 4), t, te - t};
        if (value(o, row, col, INLINE, 0.0, -1) || put(&o->inl, span, sizeof span)) return -1;
        return 1;
    }
    if (at_tag(x, body, 0, "f")) {
        Py_ssize_t a = body + tag_len(x, 0, "f"), t = -1;
        for (size_t k = 0; k < sizeof PLAIN_F / sizeof *PLAIN_F; k++) {
            Py_ssize_t n = (Py_ssize_t)strlen(PLAIN_F[k]);
            if (a + n < x->end && memcmp(s + a, PLAIN_F[k], (size_t)n) == 0 && s[a + n] == '>') {
                t = a + n + 1;
                break;
            }
        }
        if (t < 0) return 0;
        Py_ssize_t te = next_lt(x, t);
        if (te == t || !at_tag(x, te, 1, "f>")) return 0;
        Py_ssize_t after = te + tag_len(x, 1, "f>");
        int64_t slot = -1;
        if (at_tag(x, after, 1, "c>")) {
            /* no value */
        } else if (at_tag(x, after, 0, "v/>") && at_tag(x, after + tag_len(x, 0, "v/>"), 1, "c>")) {
            if (formula_values && tcode > 1) return 0; /* "" for t="str": the one-by-one path */
        } else if (at_tag(x, after, 0, "v>")) {
            Py_ssize_t v = after + tag_len(x, 0, "v>");
            Py_ssize_t ve = next_lt(x, v);
            if (!at_tag(x, ve, 1, "v>") || !at_tag(x, ve + tag_len(x, 1, "v>"), 1, "c>")) return 0;
            if (formula_values && ve > v) {
                double d;
                if (tcode != 0 || !read_number(s + v, ve - v, &d)) return 0;
                slot = (int64_t)(o->rows.len / 4);
                if (value(o, row, col, NUMBER, d, -1)) return -1;
            } else if (formula_values && tcode > 1) {
                return 0;
            }
        } else {
            return 0;
        }
        int64_t form[6] = {row, col, t, te - t, slot, at};
        return put(&o->forms, form, sizeof form) ? -1 : 1;
    }
    return 0;
}

static void release(Out *o) {
    Buf *all[] = {&o->keys, &o->rows, &o->cols, &o->kinds, &o->numbers,
                  &o->texts, &o->rest, &o->inl, &o->forms};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) free(all[i]->p);
}

static PyObject *scan(PyObject *self, PyObject *args) {
    Py_buffer data;
    Py_ssize_t start, end, n_shared;
    const char *pre;
    Py_ssize_t plen;
    int formula_values;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*nny#np", &data, &start, &end, &pre, &plen, &n_shared,
                          &formula_values))
        return NULL;
    if (start < 0 || end > data.len || start > end) {
        PyBuffer_Release(&data);
        PyErr_SetString(PyExc_ValueError, "start and end outside the data");
        return NULL;
    }
    Src x = {data.buf, end, pre, plen};
    const char *s = x.s;
    Out o;
    memset(&o, 0, sizeof o);
    int refused = 0, failed = 0;
    int64_t last_key = -1;
    Py_ssize_t p = start;
    while (!refused && !failed) {
        p = next_lt(&x, p);
        if (p + 1 >= end) break;
        char c1 = s[p + 1];
        if (c1 == '!' || c1 == '?') {
            refused = 1; /* comment, CDATA, processing instruction: the general reader */
            break;
        }
        Py_ssize_t q = p + 1;
        int mine = (c1 != '/') && (!plen || (q + plen <= end && memcmp(s + q, pre, (size_t)plen) == 0));
        if (mine) q += plen;
        if (!(mine && q + 1 < end && s[q] == 'c')) {
            Py_ssize_t gt = tag_end(&x, q);
            if (gt < 0) break;
            p = gt + 1;
            continue;
        }
        char c2 = s[q + 1];
        if (c2 == '>' || c2 == '/' || c2 == '\t' || c2 == '\n' || c2 == '\r') {
            refused = 1; /* a cell tag the general scanner reads */
            break;
        }
        if (c2 != ' ') { /* another element whose name starts with c */
            Py_ssize_t gt = tag_end(&x, q);
            if (gt < 0) break;
            p = gt + 1;
            continue;
        }
        /* <c r="LETTERS DIGITS" */
        Py_ssize_t i = q + 2;
        if (i + 3 > end || s[i] != 'r' || s[i + 1] != '=' || s[i + 2] != '"') {
            refused = 1;
            break;
        }
        i += 3;
        int64_t col = 0, row = 0;
        int letters = 0, digits = 0;
        while (i < end && s[i] >= 'A' && s[i] <= 'Z' && letters < 4) col = col * 26 + (s[i++] - 'A' + 1), letters++;
        while (i < end && s[i] >= '0' && s[i] <= '9' && digits < 8) row = row * 10 + (s[i++] - '0'), digits++;
        if (letters < 1 || letters > 3 || digits < 1 || digits > 7 || i >= end || s[i] != '"' ||
            row < 1 || row > MAX_ROW || col < 1 || col > MAX_COL) {
            refused = 1; /* the general scanner names the cell */
            break;
        }
        i++;
        int64_t key = row * (1 << 14) + col;
        if (key <= last_key) {
            refused = 1; /* out of order or repeated */
            break;
        }
        last_key = key;
        if (put(&o.keys, &key, 8)) {
            failed = 1;
            break;
        }
        /* the other attributes: only t is read */
        int tcode = 0, seen_t = 0, plain = 1, closed = 0;
        Py_ssize_t gt = -1;
        while (i < end) {
            char ch = s[i];
            if (ch == '>') {
                gt = i;
                break;
            }
            if (ch == '/' && i + 1 < end && s[i + 1] == '>') {
                closed = 1;
                gt = i + 1;
                break;
            }
            if (ch != ' ') {
                plain = 0;
                break;
            }
            Py_ssize_t name = ++i;
            /* a name ends at '=' (a tab or line end in it: the one-by-one path) */
            while (i < end && s[i] != '=' && s[i] != ' ' && s[i] != '>' && s[i] != '/' && s[i] != '\t' &&
                   s[i] != '\n' && s[i] != '\r')
                i++;
            if (i + 1 >= end || s[i] != '=' || s[i + 1] != '"') {
                plain = 0;
                break;
            }
            Py_ssize_t v = i + 2;
            const char *close = memchr(s + v, '"', (size_t)(end - v));
            if (!close) {
                plain = 0;
                break;
            }
            Py_ssize_t ve = (Py_ssize_t)(close - s);
            if (i - name == 1 && s[name] == 't') {
                if (seen_t) {
                    refused = 1; /* two t attributes */
                    break;
                }
                seen_t = 1;
                Py_ssize_t n = ve - v;
                if (n == 1 && s[v] == 'n') tcode = 0;
                else if (n == 1 && s[v] == 's') tcode = 1;
                else if (n == 9 && memcmp(s + v, "inlineStr", 9) == 0) tcode = 2;
                else tcode = 3;
            }
            i = ve + 1;
        }
        if (refused) break;
        int taken = 0;
        if (plain && gt > 0) {
            taken = cell(&x, &o, p, gt, closed, tcode, (int32_t)row, (int32_t)col, n_shared, formula_values);
            if (taken < 0) {
                failed = 1;
                break;
            }
        }
        if (!taken) {
            int64_t at = p;
            if (put(&o.rest, &at, 8)) {
                failed = 1;
                break;
            }
        }
        if (gt < 0) {
            gt = tag_end(&x, i);
            if (gt < 0) break;
        }
        p = gt + 1; /* the cell's content is walked as tags: nothing in it starts a cell */
    }
    PyBuffer_Release(&data);
    if (failed) {
        release(&o);
        return PyErr_NoMemory();
    }
    if (refused) {
        release(&o);
        Py_RETURN_NONE;
    }
    Buf *parts[] = {&o.keys, &o.rows, &o.cols, &o.kinds, &o.numbers, &o.texts, &o.rest, &o.inl, &o.forms};
    const size_t n_parts = sizeof parts / sizeof *parts;
    PyObject *r = PyTuple_New((Py_ssize_t)n_parts);
    for (size_t k = 0; r && k < n_parts; k++) {
        PyObject *b = PyByteArray_FromStringAndSize(parts[k]->p ? parts[k]->p : "", (Py_ssize_t)parts[k]->len);
        if (!b) {
            Py_CLEAR(r);
            break;
        }
        PyTuple_SET_ITEM(r, (Py_ssize_t)k, b);
    }
    release(&o);
    return r;
}


/* The value of an attribute whose opening quote ends at i: its end (the next
 * '"'), or -1 when there is none. */
static Py_ssize_t value_end(const char *s, Py_ssize_t i, Py_ssize_t end) {
    if (i > end) return -1;
    const char *q = memchr(s + i, '"', (size_t)(end - i));
    return q ? (Py_ssize_t)(q - s) : -1;
}

static int all_digits(const char *v, Py_ssize_t n) {
    for (Py_ssize_t k = 0; k < n; k++)
        if (v[k] < '0' || v[k] > '9') return 0;
    return 1;
}

/* whether v[0:n] is empty or all zeros: no number (""), or row 0 */
static int zero_or_empty(const char *v, Py_ssize_t n) {
    for (Py_ssize_t k = 0; k < n; k++)
        if (v[k] != '0') return 0;
    return 1;
}

/* whether digits v[0:n] (no sign) are an index at least `top` written in as many digits */
static int at_least(const char *v, Py_ssize_t n, const char *top, Py_ssize_t tn) {
    return n == tn && memcmp(v, top, (size_t)n) >= 0;
}

/* The facts worksheets.check_sheet_markup's regular expressions find, in one
 * pass over the spaces of the part (each of their literals holds a space):
 * the offset of the first '<row r="' whose value _ROW_R_BAD_RE refuses, of the
 * first ' spans="' _SPANS_BAD_RE refuses, of the first ' s="' the cell-format
 * expression refuses (-1 when none), and the counts of "row " and 'row r="'. */
static PyObject *markup(PyObject *self, PyObject *args) {
    Py_buffer data;
    const char *top;
    Py_ssize_t tn;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*y#", &data, &top, &tn)) return NULL;
    const char *s = data.buf;
    Py_ssize_t end = data.len, row_bad = -1, spans_bad = -1, s_bad = -1;
    Py_ssize_t n_row = 0, n_row_r = 0;
    for (Py_ssize_t i = 0; i < end;) {
        const char *q = memchr(s + i, ' ', (size_t)(end - i));
        if (!q) break;
        i = (Py_ssize_t)(q - s);
        if (i >= 3 && memcmp(s + i - 3, "row", 3) == 0) {
            n_row++;
            if (i + 3 < end && memcmp(s + i + 1, "r=\"", 3) == 0) {
                n_row_r++;
                if (row_bad < 0 && i >= 4 && s[i - 4] == '<') {
                    Py_ssize_t ve = value_end(s, i + 4, end), n = ve - (i + 4);
                    const char *v = s + i + 4;
                    if (ve >= 0 && (zero_or_empty(v, n) || !all_digits(v, n) || n >= 8 ||
                                    at_least(v, n, "1048577", 7)))
                        row_bad = i - 4;
                }
            }
        }
        if (i + 3 < end && s[i + 1] == 's' && s[i + 2] == '=' && s[i + 3] == '"' && s_bad < 0) {
            Py_ssize_t ve = value_end(s, i + 4, end), n = ve - (i + 4);
            const char *v = s + i + 4;
            if (ve >= 0 && (n == 0 || !all_digits(v, n) || n >= tn + 1 || at_least(v, n, top, tn))) s_bad = i;
        }
        if (spans_bad < 0 && i + 7 < end && memcmp(s + i + 1, "spans=\"", 7) == 0) {
            Py_ssize_t ve = value_end(s, i + 8, end);
            for (Py_ssize_t k = i + 8; ve >= 0 && k < ve; k++) {
                char ch = s[k];
                if (!((ch >= '0' && ch <= '9') || ch == ':' || ch == ' ')) {
                    spans_bad = i;
                    break;
                }
            }
        }
        i++;
    }
    PyBuffer_Release(&data);
    return Py_BuildValue("(nnnnn)", row_bad, spans_bad, s_bad, n_row, n_row_r);
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS,
     "scan(data, start, end, prefix, n_shared, formula_values) -> None or the cells as "
     "bytearrays: keys (int64), rows, cols (int32), kinds (uint8), numbers (float64), texts "
     "(int32), rest offsets (int64), inline spans (int64 value, offset, length), formulas "
     "(int64 row, col, offset, length, value slot or -1, cell offset)"},
    {"markup", markup, METH_VARARGS,
     "markup(data, str(n_styles).encode()) -> (first bad <row r> offset, first bad spans offset, "
     "first bad s offset, count of 'row ', count of 'row r=\"'); -1 for none"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_cellscan",
                                    "The compiled worksheet cell scanner (see colscan.py).", -1,
                                    methods};

/* the interface this source speaks (addin/native.py): raise it whenever the
 * arguments or results change meaning, and the caller's expected number with it */
#define INTERFACE 2

PyMODINIT_FUNC PyInit__cellscan(void) {
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddIntConstant(m, "INTERFACE", INTERFACE) < 0) Py_CLEAR(m);
    return m;
}
