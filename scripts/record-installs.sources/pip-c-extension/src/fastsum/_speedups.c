#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* total(iterable) -> float: the sum of the items, in C. */
static PyObject *total(PyObject *self, PyObject *arg) {
    PyObject *iter = PyObject_GetIter(arg);
    if (!iter) return NULL;
    double sum = 0;
    PyObject *item;
    while ((item = PyIter_Next(iter))) {
        sum += PyFloat_AsDouble(item);
        Py_DECREF(item);
    }
    Py_DECREF(iter);
    if (PyErr_Occurred()) return NULL;
    return PyFloat_FromDouble(sum);
}

static PyMethodDef methods[] = {{"total", total, METH_O, "Sum of an iterable."}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, methods};
PyMODINIT_FUNC PyInit__speedups(void) { return PyModule_Create(&module); }
