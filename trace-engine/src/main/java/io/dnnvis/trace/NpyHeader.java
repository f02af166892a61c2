package io.dnnvis.trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The header of a {@code .npy} file: the Python literal dict NumPy writes, parsed as Python's
 * {@code ast.literal_eval} would for the subset NumPy uses (a dict of str keys to str, bool, int and
 * tuple values; single or double quotes, trailing commas, whitespace). As {@code np.load}: a key
 * given twice takes its last value, and the dict must hold exactly {@code descr},
 * {@code fortran_order} and {@code shape}. Every problem is an {@link IllegalArgumentException}
 * with a one-line message.
 *
 * @param descr the dtype string ({@code '<f4'})
 * @param fortranOrder whether the data is in column-major order
 * @param shape the dimensions, each {@code >= 0}
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {

    /** NumPy's limit on the header's length in characters ({@code np.load}'s {@code max_header_size}). */
    static final int MAX_CHARS = 10_000;

    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    /**
     * Parses the header text.
     *
     * @param allowLongSuffix whether ints may end in {@code L} (Python 2 files, format 1.0 and 2.0)
     */
    static NpyHeader parse(String text, boolean allowLongSuffix) {
        if (text.length() > MAX_CHARS) {
            throw new IllegalArgumentException("corrupt .npy header (" + text.length() + " characters, NumPy reads "
                    + MAX_CHARS + " at most)");
        }
        Parser p = new Parser(text, allowLongSuffix);
        Map<String, Object> dict = p.dict();
        p.skipSpace();
        if (!p.atEnd()) {
            throw p.error("text after the dict");
        }
        if (!dict.keySet().equals(KEYS)) {
            throw new IllegalArgumentException("corrupt .npy header (keys " + new java.util.TreeSet<>(dict.keySet())
                    + ", NumPy needs exactly [descr, fortran_order, shape])");
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new IllegalArgumentException("unsupported dtype " + Parser.show(dict.get("descr"))
                    + " (structured arrays are not supported)");
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new IllegalArgumentException("corrupt .npy header (fortran_order is "
                    + Parser.show(dict.get("fortran_order")) + ", not True or False)");
        }
        return new NpyHeader(descr, fortran, shape(dict.get("shape")));
    }

    private static long[] shape(Object value) {
        if (!(value instanceof List<?> items)) {
            throw new IllegalArgumentException("corrupt .npy header (shape is " + Parser.show(value) + ", not a tuple)");
        }
        long[] shape = new long[items.size()];
        for (int k = 0; k < shape.length; k++) {
            if (!(items.get(k) instanceof Long dim)) {
                throw new IllegalArgumentException("corrupt .npy header (shape " + Parser.show(value)
                        + " holds something other than ints)");
            }
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Parser.show(value));
            }
            shape[k] = dim;
        }
        return shape;
    }

    /** A recursive-descent reader of the literal subset; values are String, Boolean, Long or List (a tuple). */
    private static final class Parser {
        private final String s;
        private final boolean allowLongSuffix;
        private int pos;

        Parser(String s, boolean allowLongSuffix) {
            this.s = s;
            this.allowLongSuffix = allowLongSuffix;
        }

        Map<String, Object> dict() {
            skipSpace();
            expect('{');
            Map<String, Object> dict = new LinkedHashMap<>();
            skipSpace();
            while (peek() != '}') {
                if (peek() != '\'' && peek() != '"') {
                    throw error("a dict key must be a string");
                }
                String key = string();
                skipSpace();
                expect(':');
                Object value = value();
                dict.remove(key);
                dict.put(key, value);
                skipSpace();
                if (peek() == ',') {
                    pos++;
                    skipSpace();
                } else if (peek() != '}') {
                    throw error("expected ',' or '}'");
                }
            }
            pos++;
            return dict;
        }

        private Object value() {
            skipSpace();
            char c = peek();
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '(') {
                return tuple();
            }
            if (c == '-' || c == '+' || (c >= '0' && c <= '9')) {
                return integer();
            }
            if (s.startsWith("True", pos) || s.startsWith("False", pos)) {
                boolean v = s.startsWith("True", pos);
                pos += v ? 4 : 5;
                if (pos < s.length() && Character.isJavaIdentifierPart(s.charAt(pos))) {
                    throw error("unknown name");
                }
                return v;
            }
            throw error("unsupported value");
        }

        /** {@code (a)} is {@code a}; {@code (a,)}, {@code (a, b)} and {@code ()} are tuples. */
        private Object tuple() {
            expect('(');
            List<Object> items = new ArrayList<>();
            boolean comma = false;
            skipSpace();
            while (peek() != ')') {
                items.add(value());
                skipSpace();
                comma = false;
                if (peek() == ',') {
                    pos++;
                    comma = true;
                    skipSpace();
                } else if (peek() != ')') {
                    throw error("expected ',' or ')'");
                }
            }
            pos++;
            return items.size() == 1 && !comma ? items.get(0) : List.copyOf(items);
        }

        private String string() {
            char quote = s.charAt(pos++);
            int start = pos;
            while (pos < s.length() && s.charAt(pos) != quote) {
                char c = s.charAt(pos);
                if (c == '\\' || c == '\n' || c == '\r') {
                    throw error("unsupported character in a string");
                }
                pos++;
            }
            if (pos >= s.length()) {
                throw error("unterminated string");
            }
            return s.substring(start, pos++);
        }

        private Long integer() {
            boolean negative = false;
            while (peek() == '-' || peek() == '+') {
                negative ^= s.charAt(pos++) == '-';
                skipSpace();
            }
            int start = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
            String digits = s.substring(start, pos);
            if (digits.isEmpty()) {
                throw error("expected a number");
            }
            if (digits.length() > 1 && digits.charAt(0) == '0') {
                throw error("leading zeros in a number");
            }
            if (allowLongSuffix && (peek() == 'L' || peek() == 'l')) {
                pos++;
            }
            if (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_'
                    || s.charAt(pos) == '.')) {
                throw error("unsupported number");
            }
            try {
                long v = Long.parseLong(digits);
                return negative ? -v : v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("shape is too large (" + digits.length() + "-digit dimension)");
            }
        }

        void skipSpace() {
            while (pos < s.length() && " \t\n\r\f".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("corrupt .npy header (" + what + " at character " + pos + ")");
        }

        static String show(Object v) {
            String t = v instanceof String str ? "'" + str + "'"
                    : v instanceof Boolean b ? (b ? "True" : "False")
                    : v instanceof List<?> l ? l.stream().map(Parser::show)
                            .collect(java.util.stream.Collectors.joining(", ", "(", l.size() == 1 ? ",)" : ")"))
                    : String.valueOf(v);
            return t.length() > 60 ? t.substring(0, 60) + "..." : t;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyHeader h && h.descr.equals(descr) && h.fortranOrder == fortranOrder
                && java.util.Arrays.equals(h.shape, shape);
    }

    @Override
    public int hashCode() {
        return descr.hashCode() * 31 + java.util.Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "NpyHeader[" + descr + ", " + fortranOrder + ", " + java.util.Arrays.toString(shape) + "]";
    }
}
