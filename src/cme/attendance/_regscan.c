/* The byte loops of the register file reader (regfile.py), and the screening's day-flag look-up
   (screening.py), in C.

   Why C: the marks field is 99% of a REG.csv (about 1,300 bytes a row) and must end as one
   byte per session. In numpy each step is its own pass over the block with a temporary as big
   as the block (find the line ends; copy the codes; check the spaces between them; check every
   code against its regime; fold two-character codes apart), and the passes, not the work,
   were most of `cme screen`'s time (issue 15, point 6). Here each row is read once. No library
   reads this layout (a general CSV reader would still leave us the 170 million tokens).

   Only the common case is done here. A row that is not plainly well formed (a token that is
   not a code of its session's regime, a double space, a comma) is handed back as "odd", and
   regfile.py reads it token by token in Python for the exact message. So this file decides no
   error message and no rule: it is a fast path whose every doubt goes back to the slow one.

   Every function releases the GIL: regfile's threads read two blocks at a time. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define NO_SESSION '-'

/* read_row reads eight bytes as one little-endian word (x86-64, ARM64: every server we run on). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "_regscan.c reads words as little-endian"
#endif

/* scan_lines(data, out) -> (lines, ored)
   Offsets of the newlines of `data` into `out` (int64, as many as fit) and the OR of every byte
   (>= 0x80: not ASCII). `lines` counts them all: more than fit means call again, larger. */
static PyObject *scan_lines(PyObject *self, PyObject *args) {
    Py_buffer data, out;
    if (!PyArg_ParseTuple(args, "y*w*", &data, &out))
        return NULL;
    const uint8_t *d = (const uint8_t *)data.buf;
    int64_t *o = (int64_t *)out.buf;
    Py_ssize_t n = data.len, cap = out.len / (Py_ssize_t)sizeof(int64_t), found = 0, i = 0;
    uint64_t ored = 0;
    Py_BEGIN_ALLOW_THREADS
    /* Eight bytes at a time: a word holds a newline when (w ^ 0x0a..) has a zero byte. */
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const uint64_t nl = 0x0a0a0a0a0a0a0a0aULL;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, d + i, 8);
        ored |= w;
        uint64_t x = w ^ nl;
        if ((x - ones) & ~x & highs) {
            for (int k = 0; k < 8; k++) {
                if (d[i + k] == '\n') {
                    if (found < cap)
                        o[found] = i + k;
                    found++;
                }
            }
        }
    }
    for (; i < n; i++) {
        ored |= d[i];
        if (d[i] == '\n') {
            if (found < cap)
                o[found] = i;
            found++;
        }
    }
    ored |= ored >> 32;
    ored |= ored >> 16;
    ored |= ored >> 8;
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&data);
    PyBuffer_Release(&out);
    return Py_BuildValue("(nI)", found, (unsigned int)(ored & 0xFF));
}

#define SEPARATORS 0xFF00FF00FF00FF00ULL
#define SPACES 0x2000200020002000ULL

/* The four codes of "a b c d " (one word) as four bytes. */
static inline uint64_t packed(uint64_t w) {
    return (w & 0xFF) | ((w >> 8) & 0xFF00) | ((w >> 16) & 0xFF0000) | ((w >> 24) & 0xFF000000);
}

/* One row's marks, bytes [a, e) of d, into row[0:cols]: "-" before column `off`, then up to
   `want` tokens, then "-". 0 when every token read is a code of its column's regime (columns
   before `sw` are the pre-2024 regime's), else 1 (odd: the caller reads the row itself). */
static int read_row(const uint8_t *d, int64_t a, int64_t e, int64_t off, int64_t want,
                    uint8_t *row, int64_t cols, const uint8_t *pre, const uint8_t *post,
                    int64_t sw, const uint8_t *pair) {
    if (off < 0)
        return 1;
    if (off > cols)
        off = cols;
    if (want > cols - off)
        want = cols - off;
    memset(row, NO_SESSION, (size_t)off);
    int64_t j = 0, p = a;
    if (want > 0) {
        for (;;) {
            /* Eight one-character codes and their spaces at a time, while they are that (the
               usual run): the spaces checked by two comparisons, the codes packed by shifts. */
            while (j + 8 <= want && p + 16 <= e) {
                int64_t col = off + j;
                if (col < sw && col + 8 > sw)
                    break; /* the regimes change within these eight: one at a time */
                uint64_t w0, w1;
                memcpy(&w0, d + p, 8);
                memcpy(&w1, d + p + 8, 8);
                if (((w0 & SEPARATORS) != SPACES) | ((w1 & SEPARATORS) != SPACES))
                    break;
                const uint8_t *v = col < sw ? pre : post;
                if (!(v[w0 & 0xFF] & v[(w0 >> 16) & 0xFF] & v[(w0 >> 32) & 0xFF] & v[(w0 >> 48) & 0xFF] &
                      v[w1 & 0xFF] & v[(w1 >> 16) & 0xFF] & v[(w1 >> 32) & 0xFF] & v[(w1 >> 48) & 0xFF]))
                    return 1;
                uint64_t codes = packed(w0) | (packed(w1) << 32);
                memcpy(row + col, &codes, 8); /* little-endian: byte k is code k, as in memory */
                j += 8;
                p += 16;
            }
            if (j == want)
                break;
            if (p >= e)
                return 1; /* an empty token where a session is wanted */
            uint8_t b, c = d[p];
            if (p + 1 == e || d[p + 1] == ' ') { /* a one-character code: its own byte */
                b = c;
                p += 1;
            } else if (p + 2 == e || d[p + 2] == ' ') { /* two characters, such as C2 or Y1 */
                b = pair[c | (d[p + 1] << 8)];
                if (!b)
                    return 1;
                p += 2;
            } else {
                return 1;
            }
            if (!(off + j < sw ? pre : post)[b])
                return 1;
            row[off + j] = b;
            j++;
            if (p == e || j == want)
                break;
            p++; /* the space */
        }
        /* What lies beyond the as-of date is not read, but a comma there is a fifth field. */
        if (p < e && memchr(d + p, ',', (size_t)(e - p)))
            return 1;
    } else if (a < e && memchr(d + a, ',', (size_t)(e - a))) {
        return 1;
    }
    memset(row + off + j, NO_SESSION, (size_t)(cols - off - j));
    return 0;
}

static int int64s(Py_buffer *b, Py_ssize_t n, const char *name) {
    if (b->len != n * (Py_ssize_t)sizeof(int64_t)) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd int64 values", name, n);
        return 0;
    }
    return 1;
}

/* read_marks(data, starts, ends, offs, wants, marks, cols, pre, post, sw, pair, odd) -> n_odd
   For each row k: read_row(data, starts[k], ends[k], offs[k], wants[k]) into marks[k]; the odd
   rows' numbers go to `odd` (int64, one per row at most), in order. */
static PyObject *read_marks(PyObject *self, PyObject *args) {
    Py_buffer data, starts, ends, offs, wants, marks, pre, post, pair, odd;
    Py_ssize_t cols, sw;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*w*ny*y*ny*w*", &data, &starts, &ends, &offs, &wants,
                          &marks, &cols, &pre, &post, &sw, &pair, &odd))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t rows = starts.len / (Py_ssize_t)sizeof(int64_t), n_odd = 0;
    if (!int64s(&starts, rows, "starts") || !int64s(&ends, rows, "ends") ||
        !int64s(&offs, rows, "offs") || !int64s(&wants, rows, "wants") ||
        !int64s(&odd, rows, "odd"))
        goto done;
    if (cols < 0 || marks.len != rows * cols || pre.len != 256 || post.len != 256 ||
        pair.len != 65536) {
        PyErr_SetString(PyExc_ValueError, "read_marks: tables or marks of the wrong size");
        goto done;
    }
    const uint8_t *d = (const uint8_t *)data.buf;
    const int64_t *s = (const int64_t *)starts.buf, *e = (const int64_t *)ends.buf;
    const int64_t *f = (const int64_t *)offs.buf, *w = (const int64_t *)wants.buf;
    int64_t *out = (int64_t *)odd.buf;
    uint8_t *m = (uint8_t *)marks.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t k = 0; k < rows; k++) {
        int bad = s[k] < 0 || e[k] < s[k] || e[k] > data.len ||
                  read_row(d, s[k], e[k], f[k], w[k], m + k * cols, cols,
                           (const uint8_t *)pre.buf, (const uint8_t *)post.buf, sw,
                           (const uint8_t *)pair.buf);
        if (bad)
            out[n_odd++] = k;
    }
    Py_END_ALLOW_THREADS
    result = PyLong_FromSsize_t(n_odd);
done:
    PyBuffer_Release(&data);
    PyBuffer_Release(&starts);
    PyBuffer_Release(&ends);
    PyBuffer_Release(&offs);
    PyBuffer_Release(&wants);
    PyBuffer_Release(&marks);
    PyBuffer_Release(&pre);
    PyBuffer_Release(&post);
    PyBuffer_Release(&pair);
    PyBuffer_Release(&odd);
    return result;
}

/* day_flags(table, marks, cols, first, end, out) -> None
   For each row r of marks (uint8, `cols` a row) and day d in [first, end):
   out[r][d - first] = table[marks[r][2d] | marks[r][2d + 1] << 8], table being 65,536 bytes.
   The screening's day flags (screening.day_flags builds the table; this only looks it up):
   numpy's take would first widen every index to 8 bytes. */
static PyObject *day_flags(PyObject *self, PyObject *args) {
    Py_buffer table, marks, out;
    Py_ssize_t cols, first, end;
    if (!PyArg_ParseTuple(args, "y*y*nnnw*", &table, &marks, &cols, &first, &end, &out))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t width = end - first, rows = cols > 0 ? marks.len / cols : 0;
    if (table.len != 65536 || cols < 0 || first < 0 || width < 0 || 2 * end > cols ||
        (cols > 0 && marks.len % cols) || out.len != rows * width) {
        PyErr_SetString(PyExc_ValueError, "day_flags: table, marks or out of the wrong size");
        goto done;
    }
    const uint8_t *t = (const uint8_t *)table.buf, *m = (const uint8_t *)marks.buf;
    uint8_t *o = (uint8_t *)out.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = 0; r < rows; r++) {
        const uint8_t *row = m + r * cols + 2 * first;
        uint8_t *dst = o + r * width;
        for (Py_ssize_t d = 0; d < width; d++)
            dst[d] = t[row[2 * d] | (row[2 * d + 1] << 8)];
    }
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&table);
    PyBuffer_Release(&marks);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"scan_lines", scan_lines, METH_VARARGS, "Newline offsets and the OR of every byte."},
    {"read_marks", read_marks, METH_VARARGS, "Rows of marks into one byte per session."},
    {"day_flags", day_flags, METH_VARARGS, "A day-flag byte per AM and PM pair, by a table."},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {
#ifdef Py_mod_multiple_interpreters
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
    {0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_regscan", "The register file reader's byte loops (see regfile.py).",
    0, methods, slots, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__regscan(void) { return PyModuleDef_Init(&module); }
