/* The kind of every cell of a list, at C speed, for the criteria functions'
 * array paths (addin.refresh.functions.cellkinds): 0 a float, 1 a str, 2 a
 * blank (None), 3 anything else — exact types, as `v.__class__` says — and
 * the floats' values (0 elsewhere), so no object array is unboxed again. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *kinds(PyObject *self, PyObject *arg) {
    (void)self;
    if (!PyList_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "kinds() takes a list");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(arg);
    PyObject *out = PyByteArray_FromStringAndSize(NULL, n);
    PyObject *num = PyByteArray_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(double));
    if (!out || !num) {
        Py_XDECREF(out);
        Py_XDECREF(num);
        return NULL;
    }
    char *k = PyByteArray_AS_STRING(out);
    double *x = (double *)PyByteArray_AS_STRING(num);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyList_GET_ITEM(arg, i);
        int f = PyFloat_CheckExact(v);
        k[i] = f ? 0 : PyUnicode_CheckExact(v) ? 1 : v == Py_None ? 2 : 3;
        x[i] = f ? PyFloat_AS_DOUBLE(v) : 0.0;
    }
    return Py_BuildValue("(NN)", out, num);
}

static PyMethodDef methods[] = {
    {"kinds", kinds, METH_O, "kinds(list) -> (bytearray of kinds: 0 float, 1 str, 2 None, 3 other; bytearray of float64 values)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_cellkinds",
                                    "Cell kinds at C speed (see cellkinds.py).", -1, methods};

/* the interface this source speaks (addin/native.py): raise it whenever the
 * arguments or results change meaning, and the caller's expected number with it */
#define INTERFACE 1

PyMODINIT_FUNC PyInit__cellkinds(void) {
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddIntConstant(m, "INTERFACE", INTERFACE) < 0) Py_CLEAR(m);
    return m;
}
