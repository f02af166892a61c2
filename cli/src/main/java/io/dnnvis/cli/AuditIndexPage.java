package io.dnnvis.cli;

import io.dnnvis.cli.AuditTables.SkippedFile;
import io.dnnvis.cli.AuditTables.TopImage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The report's first page: how the audit was made (model, SHA-256, method, preprocessing, times), its
 * layers with links to their pages, the accuracy and the most frequent confusions when the images
 * have true classes, and the files that were skipped.
 */
final class AuditIndexPage {

    /** Confusions listed on the page; the classes page has every image. */
    static final int TOP_CONFUSIONS = 20;

    private AuditIndexPage() {
    }

    static byte[] render(AuditInfo info, Map<AuditInfo.Layer, List<TopImage>> rowsByLayer, AuditTables tables,
                         AuditAccuracy accuracy, List<ReportPage.NavEntry> nav) {
        String model = info.model().isBlank() ? "a model" : AuditLayerPage.fileName(info.model());
        HtmlWriter w = ReportPage.begin("dnnvis audit: " + model, "Dataset audit of " + model, nav, AuditReport.INDEX);
        ReportPage.endHeader(w);
        w.raw("<main>\n");
        summary(w, info, tables);
        layers(w, rowsByLayer);
        predictions(w, tables, accuracy);
        skipped(w, tables.skipped());
        w.raw("</main>\n");
        return ReportPage.end(w, null);
    }

    private static void summary(HtmlWriter w, AuditInfo info, AuditTables tables) {
        w.element("h2", "How it was made");
        w.raw("<table id=\"summary\">\n");
        row(w, "Model", info.model(), "mono");
        row(w, "Model SHA-256", info.modelSha256(), "mono");
        row(w, "dnnvis version", info.dnnvisVersion(), null);
        row(w, "Method", info.method(), null);
        row(w, "Top images per unit", info.top(), null);
        row(w, "Preprocessing", info.preprocessing(), "mono");
        row(w, "Images", info.images(), null);
        String skipped = info.skipped().isBlank() ? Integer.toString(tables.skipped().size()) : info.skipped();
        w.raw("<tr>").element("th", "Skipped files", "scope", "row").raw("<td>");
        if (tables.skipped().isEmpty()) {
            w.text(skipped);
        } else {
            w.link("#skipped", skipped);
        }
        w.raw("</td></tr>\n");
        row(w, "True classes from", info.labelsFrom(), null);
        row(w, "Started", info.started(), null);
        row(w, "Finished", info.finished(), null);
        w.raw("</table>\n");
    }

    private static void row(HtmlWriter w, String name, String value, String cssClass) {
        w.raw("<tr>").element("th", name, "scope", "row")
                .element("td", value.isBlank() ? "-" : value, "class", cssClass).raw("</tr>\n");
    }

    private static void layers(HtmlWriter w, Map<AuditInfo.Layer, List<TopImage>> rowsByLayer) {
        w.element("h2", "Layers");
        w.raw("<table id=\"layers\">\n<tr><th>Layer</th><th>Tensor</th><th>Units</th><th>Shape</th>"
                + "<th title=\"units whose strongest response over all images is 0 or less\">Units that never respond"
                + "</th></tr>\n");
        for (Map.Entry<AuditInfo.Layer, List<TopImage>> e : rowsByLayer.entrySet()) {
            AuditInfo.Layer layer = e.getKey();
            w.raw("<tr><td>").link(HtmlWriter.relativeUrl(layer.pageName()),
                    layer.alias().isBlank() ? layer.tensor() : layer.alias()).raw("</td>");
            w.element("td", layer.tensor(), "class", "mono");
            w.element("td", Integer.toString(layer.units()), "class", "num");
            w.element("td", layer.shape().isBlank() ? "-" : layer.shape(), "class", "mono");
            w.element("td", Integer.toString(silentUnits(layer.units(), e.getValue())), "class", "num");
            w.raw("</tr>\n");
        }
        w.raw("</table>\n");
    }

    /** Units of the layer whose strongest response is 0 or less, or that have no top image. */
    static int silentUnits(int units, List<TopImage> rows) {
        Map<Integer, Double> strongest = new HashMap<>();
        for (TopImage r : rows) {
            strongest.merge(r.unit(), r.activation(), Math::max);
        }
        int silent = 0;
        int count = Math.max(units, strongest.keySet().stream().mapToInt(u -> u + 1).max().orElse(0));
        for (int u = 0; u < count; u++) {
            Double s = strongest.get(u);
            if (s == null || s <= 0) {
                silent++;
            }
        }
        return silent;
    }

    private static void predictions(HtmlWriter w, AuditTables tables, AuditAccuracy accuracy) {
        w.element("h2", "Predictions");
        if (tables.predictions().isEmpty()) {
            w.element("p", "No predictions were recorded.", "class", "muted");
            return;
        }
        w.open("p").text(tables.predictions().size() + " images; ")
                .link(HtmlWriter.relativeUrl(AuditReport.CLASSES), "the images of each class").text(".").close("p");
        if (!accuracy.hasTruth()) {
            w.element("p", "No image has a true class (see the audit's --labels-from), so there is no accuracy.",
                    "class", "muted");
            return;
        }
        if (accuracy.labelled() == 0) {
            w.element("p", "The model's output holds no classes to compare with the true ones, so there is no accuracy.",
                    "class", "muted");
            return;
        }
        w.open("p", "id", "accuracy").text("Accuracy: ")
                .element("strong", ReportPage.percent(accuracy.correct(), accuracy.labelled()))
                .text(" (" + accuracy.correct() + " of " + accuracy.labelled() + " images with a true class)")
                .close("p").raw("\n");
        if (accuracy.confusions().isEmpty()) {
            w.element("p", "No image with a true class was misclassified.");
            return;
        }
        w.element("h2", "Top confusions");
        w.raw("<table id=\"confusions\">\n<tr><th>True class</th><th>Predicted as</th><th>Images</th>"
                + "<th>Of the class</th></tr>\n");
        for (AuditAccuracy.Confusion c : accuracy.confusions().subList(0,
                Math.min(TOP_CONFUSIONS, accuracy.confusions().size()))) {
            w.raw("<tr>").element("td", c.truth()).element("td", c.predicted())
                    .element("td", Integer.toString(c.count()), "class", "num")
                    .element("td", ReportPage.percent(c.count(), c.ofTruth()), "class", "num").raw("</tr>\n");
        }
        w.raw("</table>\n");
    }

    private static void skipped(HtmlWriter w, List<SkippedFile> skipped) {
        w.open("h2", "id", "skipped").text("Skipped files").close("h2");
        if (skipped.isEmpty()) {
            w.element("p", "No file was skipped.", "class", "muted");
            return;
        }
        w.raw("<table id=\"skipped-files\">\n<tr><th>File</th><th>Reason</th></tr>\n");
        for (SkippedFile s : skipped) {
            w.raw("<tr>").element("td", s.file(), "class", "mono").element("td", s.reason()).raw("</tr>\n");
        }
        w.raw("</table>\n");
    }
}
