/* The kind of every cell of a list, at C speed, for the criteria functions'
 * array paths (addin.refresh.functions.cellkinds): 0 a float, 1 a str, 2 a
 * blank (None), 3 anything else — exact types, as `v.__class__` says. */
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
    if (!out) return NULL;
    char *k = PyByteArray_AS_STRING(out);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyList_GET_ITEM(arg, i);
        k[i] = PyFloat_CheckExact(v) ? 0 : PyUnicode_CheckExact(v) ? 1 : v == Py_None ? 2 : 3;
    }
    return out;
}

static PyMethodDef methods[] = {
    {"kinds", kinds, METH_O, "kinds(list) -> bytearray: 0 float, 1 str, 2 None, 3 other"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_cellkinds",
                                    "Cell kinds at C speed (see cellkinds.py).", -1, methods};

PyMODINIT_FUNC PyInit__cellkinds(void) { return PyModule_Create(&module); }
