/* The plain number syntax a cell's <v> is read in by the compiled helpers
 * (_cellscan.c reading, _cellsplice.c deciding whether an old value already
 * reads as the new one): [+-]digits[.digits] or [+-].digits, then
 * [eE][+-]digits. Anything else goes to the Python path, which decides. */
#ifndef JIXIAO_PLAIN_NUMBER_H
#define JIXIAO_PLAIN_NUMBER_H

#include <Python.h>

static int plain_number(const char *t, Py_ssize_t n) {
    Py_ssize_t i = 0, digits = 0;
    if (i < n && (t[i] == '+' || t[i] == '-')) i++;
    while (i < n && t[i] >= '0' && t[i] <= '9') i++, digits++;
    if (i < n && t[i] == '.') {
        i++;
        while (i < n && t[i] >= '0' && t[i] <= '9') i++, digits++;
    }
    if (!digits) return 0;
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        Py_ssize_t e = 0;
        i++;
        if (i < n && (t[i] == '+' || t[i] == '-')) i++;
        while (i < n && t[i] >= '0' && t[i] <= '9') i++, e++;
        if (!e) return 0;
    }
    return i == n;
}

#endif
