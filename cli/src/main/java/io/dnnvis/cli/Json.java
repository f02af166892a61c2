package io.dnnvis.cli;

/** The little JSON the CLI writes: escaped strings and number arrays. */
final class Json {

    private Json() {
    }

    static String string(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    static String array(long[] values) {
        StringBuilder b = new StringBuilder("[");
        for (int k = 0; k < values.length; k++) {
            b.append(k == 0 ? "" : ",").append(values[k]);
        }
        return b.append(']').toString();
    }
}
