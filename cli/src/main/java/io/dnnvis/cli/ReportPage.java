package io.dnnvis.cli;

import java.util.List;
import java.util.Locale;

/**
 * The frame every page of the audit report shares: head (UTF-8, a content security policy that lets
 * nothing load but the page's own inline CSS and script and the images beside it), the inline style
 * sheet, and the navigation between the pages. Nothing is loaded from the network.
 */
final class ReportPage {

    /** Only inline style and script and images from the page's own place: no network, no other origin. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; img-src 'self' file:; "
            + "style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

    private static final String STYLE = """
            :root{--fg:#1d1d1f;--muted:#666;--line:#ddd;--bg:#fafafa;--ok:#1a7f37;--bad:#c62828;--accent:#0b57d0}
            *{box-sizing:border-box}
            body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
            header{padding:12px 20px;background:#fff;border-bottom:1px solid var(--line)}
            nav{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:13px}
            nav a{color:var(--accent);text-decoration:none}nav a:hover{text-decoration:underline}
            nav a[aria-current]{font-weight:600;color:var(--fg)}
            h1{font-size:20px;margin:8px 0 4px}h2{font-size:16px;margin:0 0 8px}
            main{padding:12px 20px}
            .muted{color:var(--muted)}
            table{border-collapse:collapse;background:#fff;margin:6px 0 18px}
            th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
            th{background:#f0f0f0;font-weight:600}
            td.num{text-align:right;font-variant-numeric:tabular-nums}
            .mono{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
            .ok{color:var(--ok)}.wrong{color:var(--bad)}
            .controls{position:sticky;top:0;z-index:1;display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;
              padding:8px 20px;background:#fff;border-bottom:1px solid var(--line)}
            .controls button{font:inherit;padding:2px 10px;border:1px solid var(--line);border-radius:4px;background:#fff;cursor:pointer}
            .controls button[aria-pressed=true]{background:var(--accent);border-color:var(--accent);color:#fff}
            .controls input{font:inherit;width:12em}.controls input.bad{outline:2px solid var(--bad)}
            section.unit{content-visibility:auto;contain-intrinsic-size:auto 220px;background:#fff;
              border:1px solid var(--line);border-radius:6px;padding:8px 10px;margin:0 0 10px}
            section.unit h2 .max{font-weight:400;color:var(--muted);margin-left:8px}
            .grid{display:flex;flex-wrap:wrap;gap:8px}
            figure{margin:0;width:164px;font-size:12px}
            figure.dim{opacity:.25}
            .pair{display:flex;gap:4px}
            .pair img,.pair .missing{width:80px;height:80px;object-fit:contain;image-rendering:pixelated;
              background:#eee;border:1px solid var(--line)}
            .pair .missing{display:flex;align-items:center;justify-content:center;color:var(--muted);font-size:11px}
            figcaption{margin-top:2px;overflow-wrap:anywhere}
            figcaption .act{font-variant-numeric:tabular-nums;font-weight:600}
            """;

    private ReportPage() {
    }

    /** One entry of the navigation: the page's file name and its title. */
    record NavEntry(String page, String title) {
    }

    /** Opens the page: head with {@code title}, the navigation with {@code current} marked, then {@code <h1>}. */
    static HtmlWriter begin(String title, String heading, List<NavEntry> nav, String current) {
        HtmlWriter w = new HtmlWriter();
        w.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        w.open("meta", "http-equiv", "Content-Security-Policy", "content", CONTENT_SECURITY_POLICY).raw("\n");
        w.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        w.element("title", title).raw("\n<style>\n").raw(STYLE).raw("</style>\n</head>\n<body>\n<header>\n<nav>");
        for (NavEntry e : nav) {
            w.open("a", "href", HtmlWriter.relativeUrl(e.page()), "aria-current", e.page().equals(current) ? "page" : null)
                    .text(e.title()).close("a");
        }
        w.raw("</nav>\n");
        w.element("h1", heading);
        return w;
    }

    /** Closes the header opened by {@link #begin}. */
    static void endHeader(HtmlWriter w) {
        w.raw("</header>\n");
    }

    /** Closes the page, with {@code script} (the page's own code, or null) at the end of the body. */
    static byte[] end(HtmlWriter w, String script) {
        if (script != null) {
            w.raw("<script>\n").raw(script).raw("</script>\n");
        }
        w.raw("</body>\n</html>\n");
        return w.bytes();
    }

    /** A number as the report shows it: four decimals, or scientific notation when very small or large. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (v == 0) {
            return "0";
        }
        if (a >= 1e-3 && a < 1e6) {
            return String.format(Locale.ROOT, "%.4f", v);
        }
        return String.format(Locale.ROOT, "%.3e", v);
    }

    /** A share as a percentage with one decimal. */
    static String percent(long part, long whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }
}
