/* A compiled well-formedness check of an XML part, for addin.xlsx.safexml.
 *
 * lxml (libxml2) checks a 200 MB worksheet in about 2 s of CPU; most of that
 * is work a worksheet does not need (entity machinery, encodings, SAX events).
 * This pass walks the bytes once and answers one of two things:
 *
 *   True   the part is well-formed XML 1.0 with namespaces, as lxml with the
 *          package's parser settings accepts it;
 *   False  undecided: the part is malformed, or uses something this pass does
 *          not read (a comment, CDATA, a processing instruction, a DOCTYPE, a
 *          non-ASCII name, an encoding other than UTF-8, a namespace
 *          declaration it cannot vouch for, depth or sizes near libxml2's
 *          limits). The caller then asks lxml, which decides and words the
 *          refusal — so a refusal and its message are lxml's, always.
 *
 * Only True must be right, and it is conservative: whatever it is unsure of
 * answers False. What it reads (the subset every spreadsheet writer produces):
 *
 *   document  <?xml version="1.0" [encoding="UTF-8"] [standalone="yes|no"]?>
 *             (optional), whitespace, one element, whitespace;
 *   element   <Name (S Name S? = S? "value")* S? (/> | > content </Name S? >)
 *   Name      ASCII NCName, or prefix:NCName with the prefix declared in
 *             scope (xmlns:p on this element or an ancestor, naming a URI
 *             of the plain shape writers use) or "xml" on an attribute;
 *   content   UTF-8 characters XML allows (not "]]>"), references &lt; &gt;
 *             &amp; &quot; &apos; &#n; &#xh; naming allowed characters, and
 *             elements;
 *   values    the same characters but no "<" and not the quote;
 *
 * with no attribute twice on a tag (nor two prefixed attributes with one
 * local name: their prefixes could name one namespace), depth below 200,
 * names under 1,000 bytes, attribute values and text runs under 1,000,000
 * bytes (libxml2 refuses 10,000,000 without its huge-tree option).
 *
 * Every read is bounds-checked: the input may be hostile. The GIL is
 * released while it runs (the reader checks a large sheet on a second thread).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 200
#define MAX_NAME 1000
#define MAX_RUN 1000000
#define MAX_ATTRS 64
#define MAX_DECLS 128

typedef struct {
    const unsigned char *s;
    Py_ssize_t n;
} Str;

typedef struct {
    Str prefix;
    int depth;
} Decl;

typedef struct {
    const unsigned char *p, *end;
    Str stack[MAX_DEPTH];
    int depth;
    Decl decls[MAX_DECLS];
    int n_decls;
} State;

/* 1: an ASCII byte that may stand in character data as itself (not < & ]) */
static unsigned char text_ok[256];
/* 1: an ASCII byte that may stand in an attribute value (not < & " ') */
static unsigned char value_ok[256];
/* 1: NCName start; 2: NCName continuation only */
static unsigned char name_ch[256];

static void init_tables(void) {
    for (int c = 0x20; c < 0x80; c++) {
        text_ok[c] = c != '<' && c != '&' && c != ']';
        value_ok[c] = c != '<' && c != '&' && c != '"' && c != '\'';
    }
    text_ok['\t'] = text_ok['\n'] = text_ok['\r'] = 1;
    value_ok['\t'] = value_ok['\n'] = value_ok['\r'] = 1;
    for (int c = 'A'; c <= 'Z'; c++) name_ch[c] = 1;
    for (int c = 'a'; c <= 'z'; c++) name_ch[c] = 1;
    name_ch['_'] = 1;
    for (int c = '0'; c <= '9'; c++) name_ch[c] = 2;
    name_ch['-'] = name_ch['.'] = 2;
}

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int allowed_char(uint32_t u) {
    return u == 0x9 || u == 0xA || u == 0xD || (u >= 0x20 && u <= 0xD7FF) ||
           (u >= 0xE000 && u <= 0xFFFD) || (u >= 0x10000 && u <= 0x10FFFF);
}

/* One UTF-8 character of at least two bytes at p (p[0] >= 0x80): its length
 * when it is well-formed UTF-8 naming a character XML allows, else 0. */
static Py_ssize_t utf8_char(const unsigned char *p, const unsigned char *end) {
    unsigned char c = p[0];
    uint32_t u;
    Py_ssize_t n;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        u = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        u = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        u = c & 0x07;
    } else {
        return 0;
    }
    if (end - p < n) return 0;
    for (Py_ssize_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        u = (u << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && u < 0x800) || (n == 4 && u < 0x10000)) return 0; /* overlong */
    return allowed_char(u) ? n : 0;
}

/* A reference after '&' at *pp: advances past ';' and answers 1 when it is
 * one of the five predefined entities or a character reference to an allowed
 * character. */
static int reference(const unsigned char **pp, const unsigned char *end) {
    const unsigned char *p = *pp + 1; /* past '&' */
    static const char *named[] = {"lt;", "gt;", "amp;", "quot;", "apos;"};
    if (p < end && *p == '#') {
        p++;
        int hex = p < end && *p == 'x';
        if (hex) p++;
        uint32_t u = 0;
        int digits = 0;
        while (p < end && *p != ';') {
            unsigned char c = *p;
            int d;
            if (c >= '0' && c <= '9') d = c - '0';
            else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
            else return 0;
            if (++digits > 7) return 0;
            u = u * (hex ? 16 : 10) + (uint32_t)d;
            p++;
        }
        if (p >= end || digits == 0 || !allowed_char(u)) return 0;
        *pp = p + 1;
        return 1;
    }
    for (int i = 0; i < 5; i++) {
        size_t n = strlen(named[i]);
        if ((size_t)(end - p) >= n && memcmp(p, named[i], n) == 0) {
            *pp = p + n;
            return 1;
        }
    }
    return 0;
}

/* A name at *pp (ASCII NCName, optionally prefix:NCName): its whole span in
 * *name and the prefix in *prefix (n == 0 without one); 0 when it is none. */
static int qname(const unsigned char **pp, const unsigned char *end, Str *name, Str *prefix) {
    const unsigned char *p = *pp, *start = p, *colon = NULL;
    if (p >= end || name_ch[*p] != 1) return 0;
    p++;
    while (p < end) {
        unsigned char c = *p;
        if (name_ch[c]) {
            p++;
        } else if (c == ':' && colon == NULL && p + 1 < end && name_ch[p[1]] == 1) {
            colon = p;
            p += 2;
        } else {
            break;
        }
    }
    if (p >= end || *p >= 0x80 || *p == ':' || p - start > MAX_NAME) return 0;
    name->s = start;
    name->n = p - start;
    prefix->s = start;
    prefix->n = colon ? colon - start : 0;
    *pp = p;
    return 1;
}

static int str_eq(Str a, const char *b) {
    size_t n = strlen(b);
    return (size_t)a.n == n && memcmp(a.s, b, n) == 0;
}

static int declared(const State *st, Str prefix) {
    for (int i = st->n_decls - 1; i >= 0; i--) {
        const Decl *d = &st->decls[i];
        if (d->prefix.n == prefix.n && memcmp(d->prefix.s, prefix.s, (size_t)prefix.n) == 0)
            return 1;
    }
    return 0;
}

typedef struct {
    Str name, prefix, value;
} Attr;

static int alpha(unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static int alnum(unsigned char c) { return alpha(c) || (c >= '0' && c <= '9'); }

/* A namespace name in the shape every writer uses, which libxml2 parses as a
 * URI: scheme ":" then either "//" host [path] or a path, host letters,
 * digits, "." and "-", path those and "/", "_", "~" and ":". Anything else —
 * a relative reference, a port, a query, percent escapes, references — is
 * undecided. */
static int plain_uri(Str v) {
    const unsigned char *p = v.s, *end = v.s + v.n;
    if (p >= end || !alpha(*p)) return 0;
    while (p < end && (alnum(*p) || *p == '+' || *p == '-' || *p == '.')) p++;
    if (p >= end || *p != ':') return 0;
    p++;
    if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
        p += 2;
        const unsigned char *host = p;
        while (p < end && (alnum(*p) || *p == '.' || *p == '-')) p++;
        if (p == host || (p < end && *p != '/')) return 0;
    }
    for (; p < end; p++)
        if (!(alnum(*p) || *p == '/' || *p == '.' || *p == '-' || *p == '_' || *p == '~' || *p == ':'))
            return 0;
    return 1;
}

/* An attribute value after its opening quote: advances past the closing
 * quote; 0 when a character is not allowed there. */
static int attr_value(const unsigned char **pp, const unsigned char *end, unsigned char quote,
                      Str *value) {
    const unsigned char *p = *pp, *start = p;
    for (;;) {
        if (p >= end) return 0;
        unsigned char c = *p;
        if (c < 0x80 && value_ok[c]) {
            p++;
        } else if (c == quote) {
            break;
        } else if (c == '"' || c == '\'') {
            p++;
        } else if (c == '&') {
            if (!reference(&p, end)) return 0;
        } else if (c >= 0x80) {
            Py_ssize_t n = utf8_char(p, end);
            if (!n) return 0;
            p += n;
        } else {
            return 0; /* '<' or a control character */
        }
        if (p - start > MAX_RUN) return 0;
    }
    value->s = start;
    value->n = p - start;
    *pp = p + 1;
    return 1;
}

/* A start tag after '<': its attributes, namespace declarations put in
 * scope; *empty set for "/>". Answers 0 when undecided. */
static int start_tag(State *st, int *empty) {
    const unsigned char *p = st->p, *end = st->end;
    Str name, prefix;
    Attr attrs[MAX_ATTRS];
    int n = 0;
    if (!qname(&p, end, &name, &prefix)) return 0;
    for (;;) {
        int space = 0;
        while (p < end && is_space(*p)) {
            p++;
            space = 1;
        }
        if (p >= end) return 0;
        if (*p == '>') {
            p++;
            *empty = 0;
            break;
        }
        if (*p == '/') {
            if (p + 1 >= end || p[1] != '>') return 0;
            p += 2;
            *empty = 1;
            break;
        }
        if (!space || n == MAX_ATTRS) return 0;
        Attr *a = &attrs[n++];
        if (!qname(&p, end, &a->name, &a->prefix)) return 0;
        while (p < end && is_space(*p)) p++;
        if (p >= end || *p != '=') return 0;
        p++;
        while (p < end && is_space(*p)) p++;
        if (p >= end || (*p != '"' && *p != '\'')) return 0;
        unsigned char quote = *p++;
        if (!attr_value(&p, end, quote, &a->value)) return 0;
    }
    if (st->depth == MAX_DEPTH) return 0;
    int depth = st->depth + 1;
    for (int i = 0; i < n; i++) {
        Attr *a = &attrs[i];
        for (int j = 0; j < i; j++) { /* the same name twice, or one local name in two prefixes */
            Attr *b = &attrs[j];
            Py_ssize_t la = a->name.n - (a->prefix.n ? a->prefix.n + 1 : 0);
            Py_ssize_t lb = b->name.n - (b->prefix.n ? b->prefix.n + 1 : 0);
            if (la == lb && memcmp(a->name.s + a->name.n - la, b->name.s + b->name.n - lb,
                                   (size_t)la) == 0 &&
                ((a->prefix.n && b->prefix.n) || a->prefix.n == b->prefix.n))
                return 0;
        }
        Str decl = {NULL, -1}; /* the prefix this attribute declares; n == 0: the default */
        if (str_eq(a->name, "xmlns")) {
            decl.s = a->name.s;
            decl.n = 0;
        } else if (a->prefix.n == 5 && memcmp(a->prefix.s, "xmlns", 5) == 0) {
            decl.s = a->prefix.s + 6;
            decl.n = a->name.n - 6;
            if (a->value.n == 0 || str_eq(decl, "xml") || str_eq(decl, "xmlns")) return 0;
        }
        if (decl.n < 0) continue;
        /* libxml2 refuses a name that is not a URI and the reserved namespaces */
        if ((a->value.n && !plain_uri(a->value)) ||
            str_eq(a->value, "http://www.w3.org/XML/1998/namespace") ||
            str_eq(a->value, "http://www.w3.org/2000/xmlns/"))
            return 0;
        if (decl.n == 0) continue; /* the default namespace needs no lookup */
        if (st->n_decls == MAX_DECLS) return 0;
        st->decls[st->n_decls].prefix = decl;
        st->decls[st->n_decls].depth = depth;
        st->n_decls++;
    }
    if (str_eq(name, "xmlns")) return 0;
    if (prefix.n && !declared(st, prefix)) return 0;
    for (int i = 0; i < n; i++) {
        Attr *a = &attrs[i];
        if (!a->prefix.n || (a->prefix.n == 5 && memcmp(a->prefix.s, "xmlns", 5) == 0)) continue;
        if (str_eq(a->prefix, "xml")) continue;
        if (!declared(st, a->prefix)) return 0;
    }
    if (*empty) {
        while (st->n_decls > 0 && st->decls[st->n_decls - 1].depth >= depth) st->n_decls--;
    } else {
        st->stack[st->depth] = name;
        st->depth = depth;
    }
    st->p = p;
    return 1;
}

/* An end tag after "</": the name of the open element, then S? '>'. */
static int end_tag(State *st) {
    const unsigned char *p = st->p, *end = st->end;
    if (st->depth == 0) return 0;
    Str open = st->stack[st->depth - 1];
    if (end - p < open.n || memcmp(p, open.s, (size_t)open.n) != 0) return 0;
    p += open.n;
    while (p < end && is_space(*p)) p++;
    if (p >= end || *p != '>') return 0;
    while (st->n_decls > 0 && st->decls[st->n_decls - 1].depth >= st->depth) st->n_decls--;
    st->depth--;
    st->p = p + 1;
    return 1;
}

/* The content of the elements from st->p to the root's end tag. */
static int content(State *st) {
    const unsigned char *end = st->end;
    const unsigned char *run = st->p; /* where the current text run began */
    while (st->depth > 0) {
        const unsigned char *p = st->p;
        while (p < end && *p < 0x80 && text_ok[*p]) p++;
        if (p >= end || p - run > MAX_RUN) return 0;
        unsigned char c = *p;
        if (c == '<') {
            if (p + 1 >= end) return 0;
            st->p = p + 2;
            if (p[1] == '/') {
                if (!end_tag(st)) return 0;
            } else {
                int empty;
                st->p = p + 1;
                if (!start_tag(st, &empty)) return 0;
            }
            run = st->p;
            continue;
        }
        if (c == '&') {
            if (!reference(&p, end)) return 0;
        } else if (c == ']') {
            if (end - p >= 3 && p[1] == ']' && p[2] == '>') return 0;
            p++;
        } else if (c >= 0x80) {
            Py_ssize_t n = utf8_char(p, end);
            if (!n) return 0;
            p += n;
        } else {
            return 0; /* a control character */
        }
        if (p - run > MAX_RUN) return 0;
        st->p = p;
    }
    return 1;
}

static int skip_space(const unsigned char **pp, const unsigned char *end) {
    const unsigned char *p = *pp;
    while (p < end && is_space(*p)) p++;
    int moved = p != *pp;
    *pp = p;
    return moved;
}

/* One pseudo-attribute of the XML declaration: S name S? = S? quoted value. */
static int pseudo(const unsigned char **pp, const unsigned char *end, const char *name, Str *value) {
    const unsigned char *p = *pp;
    size_t n = strlen(name);
    if (!skip_space(&p, end)) return 0;
    if ((size_t)(end - p) < n || memcmp(p, name, n) != 0) return 0;
    p += n;
    skip_space(&p, end);
    if (p >= end || *p != '=') return 0;
    p++;
    skip_space(&p, end);
    if (p >= end || (*p != '"' && *p != '\'')) return 0;
    unsigned char quote = *p++;
    const unsigned char *start = p;
    while (p < end && *p != quote && p - start < 32) p++;
    if (p >= end || *p != quote) return 0;
    value->s = start;
    value->n = p - start;
    *pp = p + 1;
    return 1;
}

static int utf8_name(Str v) {
    return str_eq(v, "UTF-8") || str_eq(v, "utf-8");
}

/* The XML declaration, when there is one. */
static int declaration(State *st) {
    const unsigned char *p = st->p, *end = st->end;
    if (end - p < 6 || memcmp(p, "<?xml", 5) != 0 || !is_space(p[5])) return 1;
    p += 5;
    Str v;
    if (!pseudo(&p, end, "version", &v) || !str_eq(v, "1.0")) return 0;
    const unsigned char *q = p;
    if (pseudo(&q, end, "encoding", &v)) {
        if (!utf8_name(v)) return 0;
        p = q;
    }
    q = p;
    if (pseudo(&q, end, "standalone", &v)) {
        if (!str_eq(v, "yes") && !str_eq(v, "no")) return 0;
        p = q;
    }
    skip_space(&p, end);
    if (end - p < 2 || p[0] != '?' || p[1] != '>') return 0;
    st->p = p + 2;
    return 1;
}

static int document(State *st) {
    if (st->p >= st->end || st->p[0] != '<') return 0; /* a BOM, space or other encoding: lxml */
    if (!declaration(st)) return 0;
    skip_space(&st->p, st->end);
    if (st->end - st->p < 2 || st->p[0] != '<') return 0;
    st->p++;
    int empty;
    if (!start_tag(st, &empty)) return 0;
    if (!empty && !content(st)) return 0;
    skip_space(&st->p, st->end);
    return st->p == st->end;
}

static PyObject *check(PyObject *self, PyObject *args) {
    Py_buffer data;
    if (!PyArg_ParseTuple(args, "y*", &data)) return NULL;
    State *st = PyMem_RawMalloc(sizeof(State));
    if (st == NULL) {
        PyBuffer_Release(&data);
        return PyErr_NoMemory();
    }
    int ok;
    Py_BEGIN_ALLOW_THREADS
    st->p = (const unsigned char *)data.buf;
    st->end = st->p + data.len;
    st->depth = 0;
    st->n_decls = 0;
    ok = document(st);
    Py_END_ALLOW_THREADS
    PyMem_RawFree(st);
    PyBuffer_Release(&data);
    return PyBool_FromLong(ok);
}

static PyMethodDef methods[] = {
    {"check", check, METH_VARARGS,
     "check(data) -> True when data is certainly well-formed XML (the subset every spreadsheet "
     "writer produces), False when undecided: malformed, or outside that subset (ask lxml)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_wellformed",
                                    "The compiled well-formedness check (see safexml.py).", -1,
                                    methods};

/* the interface this source speaks (addin/native.py): raise it whenever the
 * arguments or results change meaning, and the caller's expected number with it */
#define INTERFACE 1

PyMODINIT_FUNC PyInit__wellformed(void) {
    init_tables();
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddIntConstant(m, "INTERFACE", INTERFACE) < 0) Py_CLEAR(m);
    return m;
}
