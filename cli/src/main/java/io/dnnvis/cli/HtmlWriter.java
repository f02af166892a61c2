package io.dnnvis.cli;

import java.nio.charset.StandardCharsets;

/**
 * Builds an HTML page as text. Every text and attribute value passes through {@link #escape}, so
 * names from files (image names, class labels, layer names) can never become markup; only the page's
 * own fixed CSS and script go in through {@link #raw}.
 */
final class HtmlWriter {

    private final StringBuilder html = new StringBuilder(1 << 16);

    /** {@code s} safe as HTML text and as a quoted attribute value. */
    static String escape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> null;
            };
            if (r != null || (Character.isISOControl(c) && c != '\n' && c != '\t')) {
                if (b == null) {
                    b = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                b.append(r != null ? r : "\uFFFD");
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    /**
     * A relative URL from path segments, each percent-encoded (all but letters, digits and {@code -._~}),
     * so that no segment can add a scheme, a query, a fragment or a folder.
     */
    static String relativeUrl(String... segments) {
        StringBuilder b = new StringBuilder();
        for (String segment : segments) {
            if (!b.isEmpty()) {
                b.append('/');
            }
            for (byte by : segment.getBytes(StandardCharsets.UTF_8)) {
                int c = by & 0xff;
                if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                        || c == '_' || c == '~') {
                    b.append((char) c);
                } else {
                    b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
                }
            }
        }
        return b.toString();
    }

    /** Appends {@code s} as it is: only for the page's own fixed markup, CSS and script. */
    HtmlWriter raw(String s) {
        html.append(s);
        return this;
    }

    /** Appends {@code s} as text. */
    HtmlWriter text(String s) {
        html.append(escape(s));
        return this;
    }

    /**
     * Opens {@code tag} with attributes given as name, value pairs; a null value leaves the attribute
     * out, an empty one writes it bare ({@code hidden}).
     */
    HtmlWriter open(String tag, String... attributes) {
        if (attributes.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come in name, value pairs");
        }
        html.append('<').append(tag);
        for (int i = 0; i < attributes.length; i += 2) {
            String value = attributes[i + 1];
            if (value == null) {
                continue;
            }
            html.append(' ').append(attributes[i]);
            if (!value.isEmpty()) {
                html.append("=\"").append(escape(value)).append('"');
            }
        }
        html.append('>');
        return this;
    }

    /** Closes {@code tag}. */
    HtmlWriter close(String tag) {
        html.append("</").append(tag).append('>');
        return this;
    }

    /** {@code <tag attributes>text</tag>}. */
    HtmlWriter element(String tag, String text, String... attributes) {
        return open(tag, attributes).text(text).close(tag);
    }

    /** A link to {@code href} (a relative URL made by {@link #relativeUrl} or a fragment) with {@code text}. */
    HtmlWriter link(String href, String text) {
        return element("a", text, "href", href);
    }

    /** The page so far. */
    @Override
    public String toString() {
        return html.toString();
    }

    /** The page so far, as UTF-8. */
    byte[] bytes() {
        return html.toString().getBytes(StandardCharsets.UTF_8);
    }
}
