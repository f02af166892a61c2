package io.dnnvis.onnx;

/**
 * Text from outside dnnvis made fit for a one-line message: names from a model (which may be
 * megabytes long or hold control characters) and messages of other libraries (ONNX Runtime's run
 * to several lines and hundreds of characters). Every message that quotes such text goes through
 * here, so no error line is longer than a reader can take in.
 */
public final class Quoted {

    /** Longest name quoted in full; longer ones are cut and end with {@value #ELLIPSIS}. */
    public static final int NAME_LENGTH = 80;
    /** Longest foreign message quoted in full. */
    public static final int MESSAGE_LENGTH = 200;

    static final String ELLIPSIS = "…";

    private Quoted() {
    }

    /** A name from the model, on one line and at most {@value #NAME_LENGTH} characters. */
    public static String name(String name) {
        return cut(name, NAME_LENGTH);
    }

    /** Longest error line: a message quoting many names is cut here, whatever it quotes. */
    public static final int LINE_LENGTH = 1000;

    /** A whole message on one line, at most {@value #LINE_LENGTH} characters. */
    public static String line(String message) {
        return cut(message == null ? "" : message, LINE_LENGTH);
    }

    /** Another library's message, its lines joined, at most {@value #MESSAGE_LENGTH} characters. */
    public static String message(String message) {
        return cut(message == null ? "" : message, MESSAGE_LENGTH);
    }

    /**
     * {@code text} on one line: runs of line breaks and tabs become one space, other control
     * characters {@code \}{@code uXXXX}; longer than {@code max} characters, its first
     * {@code max - 1} and {@value #ELLIPSIS}. Only the part kept is scanned.
     */
    public static String cut(String text, int max) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), max + 8));
        boolean space = false;
        int k = 0;
        while (k < text.length() && b.length() < max + 1) {
            int c = text.codePointAt(k);
            k += Character.charCount(c);
            if (c == '\n' || c == '\r' || c == '\t') {
                space = true;
                continue;
            }
            if (space) {
                if (!b.isEmpty()) {
                    b.append(' ');
                }
                space = false;
            }
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        }
        boolean more = k < text.length() || b.length() > max;
        if (!more) {
            return b.toString().strip();
        }
        int keep = Math.max(0, max - ELLIPSIS.length());
        if (keep > 0 && Character.isHighSurrogate(b.charAt(keep - 1))) {
            keep--;
        }
        return b.substring(0, keep).stripTrailing() + ELLIPSIS;
    }
}
