/* The writer's commonest update at C speed (addin.xlsx.sheet_writer): a finite
 * number into a formula cell that holds a number or no value yet,
 *
 *     <c r="B7" s="3"><f>…</f><v>OLD</v></c>   ->   …<v>NEW</v></c>
 *     <c r="B7"><f>…</f></c>, …<v/></c>, …<v></v></c>   ->   …<v>NEW</v></c>
 *
 * exactly the cells and bytes the writer's values pass (its `one` callback)
 * writes for them: attributes without "/", ">", "vm=" or "t=" (but for one
 * ' t="n"', which it drops, as LibreOffice writes number cells), an <f> element
 * (written "<f…/>" or "<f…>text</f>"), then a <v> or none. NEW is the shortest
 * text that reads back as the number (sheetxml.format_number); a cell whose OLD
 * already reads as the number (plain syntax) keeps its bytes. Every other
 * cell is left for the Python passes; cells out of order or repeated make the
 * whole pass decline (None), as do unusual tags the pass cannot walk.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* the output: a bytes object allocated once at its largest possible size
 * (the input plus, per key, the longest value and <v></v> it can add) and
 * cut to its length at the end — no second copy of a sheet in memory */
typedef struct {
    PyObject *bytes;
    char *p;
    size_t len, cap;
} Buf;

static int put(Buf *b, const void *x, size_t n) {
    if (n == 0) return 0;
    if (b->len + n > b->cap) return -1; /* cannot happen within the bound */
    memcpy(b->p + b->len, x, n);
    b->len += n;
    return 0;
}

static int starts(const char *s, Py_ssize_t i, Py_ssize_t end, const char *pre, Py_ssize_t plen,
                  const char *head, const char *name) {
    Py_ssize_t h = (Py_ssize_t)strlen(head), n = (Py_ssize_t)strlen(name);
    if (i < 0 || i + h + plen + n > end) return 0;
    return memcmp(s + i, head, (size_t)h) == 0 && (!plen || memcmp(s + i + h, pre, (size_t)plen) == 0) &&
           memcmp(s + i + h + plen, name, (size_t)n) == 0;
}

/* sheetxml.format_number: "0", the integer below 1e15, else repr() */
static int format_number(double x, char *out, size_t size) {
    if (x == 0) return snprintf(out, size, "0");
    if (x == floor(x) && fabs(x) < 1e15) return snprintf(out, size, "%lld", (long long)x);
    char *r = PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (!r) return -1;
    int n = snprintf(out, size, "%s", r);
    PyMem_Free(r);
    return n;
}

#include "_plain_number.h" /* the plain number syntax of the reader's column scanner */

/* 1: old[0:n] reads as x; 0: it does not; -1: not plain (the Python pass decides) */
static int reads_as(const char *old, Py_ssize_t n, double x) {
    char buf[64];
    if (n >= (Py_ssize_t)sizeof buf || !plain_number(old, n)) return -1;
    memcpy(buf, old, (size_t)n);
    buf[n] = 0;
    char *stop = NULL;
    double v = PyOS_string_to_double(buf, &stop, NULL);
    if (v == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        return -1;
    }
    return stop == buf + n && v == x;
}

static PyObject *splice(PyObject *self, PyObject *args) {
    Py_buffer data, keys_b, values_b;
    Py_ssize_t start, end;
    const char *pre;
    Py_ssize_t plen;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*nny#y*y*", &data, &start, &end, &pre, &plen, &keys_b, &values_b))
        return NULL;
    PyObject *result = NULL;
    Buf out = {NULL, NULL, 0, 0};
    const char *s = data.buf;
    const int64_t *keys = keys_b.buf;
    const double *values = values_b.buf;
    Py_ssize_t n_keys = keys_b.len / 8;
    PyObject *done = NULL;
    if (start < 0 || end > data.len || start > end || values_b.len != keys_b.len) {
        PyErr_SetString(PyExc_ValueError, "bad arguments");
        goto finally;
    }
    /* a value's text is at most 32 bytes here (repr of a double: 24); <v></v> adds
     * 7 + 2 * plen; only the cells of this slice can grow */
    Py_ssize_t n_cells = 0;
    for (Py_ssize_t i = start; i < end; i++) {
        const char *lt = memchr(s + i, '<', (size_t)(end - i));
        if (!lt) break;
        i = (Py_ssize_t)(lt - s);
        if (starts(s, i, end, pre, plen, "<", "c ")) n_cells++;
    }
    size_t bound = (size_t)(end - start) + (size_t)(n_cells < n_keys ? n_cells : n_keys) * (size_t)(40 + 2 * plen);
    out.bytes = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)bound);
    if (!out.bytes) goto finally;
    out.p = PyBytes_AS_STRING(out.bytes);
    out.cap = bound;
    done = PyByteArray_FromStringAndSize(NULL, n_keys);
    if (!done) goto finally;
    char *flag = PyByteArray_AS_STRING(done);
    memset(flag, 0, (size_t)n_keys);
    Py_ssize_t j = 0, copied = start, changed = 0, declined = 0;
    int64_t last_key = -1;
    Py_ssize_t p = start;
    while (j < n_keys) {
        const char *q = memchr(s + p, '<', (size_t)(end - p));
        if (!q) break;
        p = (Py_ssize_t)(q - s);
        if (!starts(s, p, end, pre, plen, "<", "c ")) {
            p++;
            continue;
        }
        Py_ssize_t i = p + 1 + plen + 2, col = 0, row = 0;
        int letters = 0, digits = 0;
        if (!(i + 3 <= end && s[i] == 'r' && s[i + 1] == '=' && s[i + 2] == '"')) {
            declined = 1;
            break;
        }
        i += 3;
        while (i < end && s[i] >= 'A' && s[i] <= 'Z' && letters < 4) col = col * 26 + (s[i++] - 'A' + 1), letters++;
        while (i < end && s[i] >= '0' && s[i] <= '9' && digits < 8) row = row * 10 + (s[i++] - '0'), digits++;
        if (letters < 1 || letters > 3 || digits < 1 || digits > 7 || i >= end || s[i] != '"') {
            declined = 1;
            break;
        }
        int64_t key = (int64_t)row * (1 << 15) + col; /* 15 bits: column XFD is 16384 */
        if (key <= last_key) {
            declined = 1;
            break;
        }
        last_key = key;
        p = i + 1;
        while (j < n_keys && keys[j] < key) j++;
        if (j >= n_keys || keys[j] != key) continue;
        /* the attributes: no '/' or '>' inside, no "t=", no "vm=" */
        Py_ssize_t a = i + 1, gt = a;
        while (gt < end && s[gt] != '>' && s[gt] != '/') gt++;
        if (gt >= end || s[gt] != '>') continue;
        /* ... or one ' t="n"' (LibreOffice's), which the values pass drops */
        int plain = 1, n_t = 0;
        Py_ssize_t tn = -1;
        for (Py_ssize_t k = a; k + 1 < gt; k++) {
            if (s[k] == 't' && s[k + 1] == '=') {
                n_t++;
                if (k > a && s[k - 1] == ' ' && k + 4 < gt && memcmp(s + k + 2, "\"n\"", 3) == 0) tn = k - 1;
            }
            if (k + 2 < gt && memcmp(s + k, "vm=", 3) == 0) plain = 0;
        }
        if (!plain || n_t > 1 || (n_t == 1 && tn < 0)) continue;
        /* <f\b[^>]*?(?:/>|>[^<]*</f>) */
        Py_ssize_t f = gt + 1;
        if (!starts(s, f, end, pre, plen, "<", "f")) continue;
        Py_ssize_t fa = f + 2 + plen;
        if (fa >= end || !(s[fa] == ' ' || s[fa] == '>' || s[fa] == '/' || s[fa] == '\t' ||
                           s[fa] == '\n' || s[fa] == '\r'))
            continue;
        Py_ssize_t fg = fa;
        while (fg < end && s[fg] != '>') fg++;
        if (fg >= end) continue;
        Py_ssize_t after;
        if (s[fg - 1] == '/') {
            after = fg + 1;
        } else {
            const char *lt = memchr(s + fg + 1, '<', (size_t)(end - fg - 1));
            if (!lt) continue;
            Py_ssize_t te = (Py_ssize_t)(lt - s);
            if (!starts(s, te, end, pre, plen, "</", "f>")) continue;
            after = te + 4 + plen;
        }
        /* <v>OLD</v></c> with OLD non-empty */
        double x = values[j];
        char payload[64];
        int n = format_number(x, payload, sizeof payload);
        if (n < 0) goto finally;
        if (n > 32) continue; /* within the output's bound (a double's repr has at most 24) */
        /* no value yet ("</c>", "<v/></c>", "<v></v></c>", as openpyxl writes
         * formula cells): the value written before "</c>" */
        Py_ssize_t gap = -1;
        if (starts(s, after, end, pre, plen, "</", "c>")) {
            gap = 0;
        } else if (starts(s, after, end, pre, plen, "<", "v/>") &&
                   starts(s, after + 4 + plen, end, pre, plen, "</", "c>")) {
            gap = 4 + plen;
        } else if (starts(s, after, end, pre, plen, "<", "v>") &&
                   starts(s, after + 3 + plen, end, pre, plen, "</", "v>") &&
                   starts(s, after + 7 + 2 * plen, end, pre, plen, "</", "c>")) {
            gap = 7 + 2 * plen;
        }
        if (tn >= 0) { /* ' t="n"' dropped and the value written, whatever it was */
            Py_ssize_t close = after + gap;
            if (gap < 0) {
                const char *vlt = starts(s, after, end, pre, plen, "<", "v>")
                                      ? memchr(s + after + 3 + plen, '<', (size_t)(end - after - 3 - plen))
                                      : NULL;
                if (!vlt) continue;
                close = (Py_ssize_t)(vlt - s) + 4 + plen;
                if (!starts(s, (Py_ssize_t)(vlt - s), end, pre, plen, "</", "v>") ||
                    !starts(s, close, end, pre, plen, "</", "c>"))
                    continue;
            }
            if (put(&out, s + copied, (size_t)(tn - copied)) || put(&out, s + tn + 6, (size_t)(after - tn - 6)) ||
                put(&out, "<", 1) || put(&out, pre, (size_t)plen) || put(&out, "v>", 2) ||
                put(&out, payload, (size_t)n) || put(&out, "</", 2) || put(&out, pre, (size_t)plen) ||
                put(&out, "v>", 2)) {
                PyErr_NoMemory();
                goto finally;
            }
            copied = close;
            changed++;
            flag[j] = 1;
            p = copied;
            continue;
        }
        if (gap >= 0) {
            if (put(&out, s + copied, (size_t)(after - copied)) || put(&out, "<", 1) ||
                put(&out, pre, (size_t)plen) || put(&out, "v>", 2) || put(&out, payload, (size_t)n) ||
                put(&out, "</", 2) || put(&out, pre, (size_t)plen) || put(&out, "v>", 2)) {
                PyErr_NoMemory();
                goto finally;
            }
            copied = after + gap;
            changed++;
            flag[j] = 1;
            p = copied;
            continue;
        }
        /* <v>OLD</v></c> with OLD non-empty */
        if (!starts(s, after, end, pre, plen, "<", "v>")) continue;
        Py_ssize_t v = after + 3 + plen;
        const char *lt = memchr(s + v, '<', (size_t)(end - v));
        if (!lt) continue;
        Py_ssize_t ve = (Py_ssize_t)(lt - s);
        if (ve == v || !starts(s, ve, end, pre, plen, "</", "v>") ||
            !starts(s, ve + 4 + plen, end, pre, plen, "</", "c>"))
            continue;
        if (!(ve - v == n && memcmp(s + v, payload, (size_t)n) == 0)) {
            int same = reads_as(s + v, ve - v, x);
            if (same < 0) continue; /* not plain: the Python pass decides */
            if (!same) {
                if (put(&out, s + copied, (size_t)(v - copied)) || put(&out, payload, (size_t)n)) {
                    PyErr_NoMemory();
                    goto finally;
                }
                copied = ve;
                changed++;
            }
        }
        flag[j] = 1;
        p = ve;
    }
    if (declined) {
        result = Py_None;
        Py_INCREF(result);
        goto finally;
    }
    if (put(&out, s + copied, (size_t)(end - copied))) {
        PyErr_NoMemory();
        goto finally;
    }
    if (_PyBytes_Resize(&out.bytes, (Py_ssize_t)out.len) == 0) {
        result = Py_BuildValue("(OOn)", out.bytes, done, changed);
    }
finally:
    Py_XDECREF(done);
    Py_XDECREF(out.bytes);
    PyBuffer_Release(&data);
    PyBuffer_Release(&keys_b);
    PyBuffer_Release(&values_b);
    return result;
}

static PyMethodDef methods[] = {
    {"splice", splice, METH_VARARGS,
     "splice(xml, start, end, prefix, keys, values) -> None or (the new bytes of xml[start:end], "
     "a flag per key (1: written or already right), how many cells changed); keys are int64 "
     "row * 2**15 + col ascending, values float64"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_cellsplice",
                                    "Numbers spliced into formula cells at C speed (see sheet_writer.py).", -1,
                                    methods};

/* the interface this source speaks (addin/native.py): raise it whenever the
 * arguments or results change meaning, and the caller's expected number with it */
#define INTERFACE 2

PyMODINIT_FUNC PyInit__cellsplice(void) {
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddIntConstant(m, "INTERFACE", INTERFACE) < 0) Py_CLEAR(m);
    return m;
}
