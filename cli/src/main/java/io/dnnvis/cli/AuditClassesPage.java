package io.dnnvis.cli;

import io.dnnvis.cli.AuditTables.Prediction;
import java.util.List;
import java.util.Map;

/**
 * The per-class page: for each class (the true class when the images have one, else the predicted
 * class) its images with their predictions, each marked correct or incorrect when the truth is known.
 */
final class AuditClassesPage {

    private AuditClassesPage() {
    }

    static byte[] render(AuditAccuracy accuracy, List<ReportPage.NavEntry> nav) {
        HtmlWriter w = ReportPage.begin("dnnvis audit: classes", "Images by class", nav, AuditReport.CLASSES);
        w.element("p", accuracy.hasTruth() ? "Grouped by the true class of each image."
                : "No image has a true class: grouped by the predicted class.", "class", "muted");
        ReportPage.endHeader(w);
        w.raw("<main>\n");
        if (accuracy.byClass().isEmpty()) {
            w.element("p", "No predictions were recorded.", "class", "muted");
        } else {
            overview(w, accuracy);
            int i = 0;
            for (Map.Entry<String, List<Prediction>> e : accuracy.byClass().entrySet()) {
                classSection(w, "class-" + i++, e.getKey(), e.getValue(), accuracy.hasTruth());
            }
        }
        w.raw("</main>\n");
        return ReportPage.end(w, null);
    }

    private static void overview(HtmlWriter w, AuditAccuracy accuracy) {
        w.raw("<table id=\"class-overview\">\n<tr><th>Class</th><th>Images</th>");
        if (accuracy.hasTruth()) {
            w.raw("<th>Correct</th><th>Accuracy</th>");
        }
        w.raw("</tr>\n");
        int i = 0;
        for (Map.Entry<String, List<Prediction>> e : accuracy.byClass().entrySet()) {
            List<Prediction> images = e.getValue();
            w.raw("<tr><td>").link("#class-" + i++, className(e.getKey())).raw("</td>");
            w.element("td", Integer.toString(images.size()), "class", "num");
            if (accuracy.hasTruth()) {
                long labelled = images.stream().filter(Prediction::labelled).count();
                long correct = images.stream().filter(Prediction::correct).count();
                w.element("td", Long.toString(correct), "class", "num");
                w.element("td", ReportPage.percent(correct, labelled), "class", "num");
            }
            w.raw("</tr>\n");
        }
        w.raw("</table>\n");
    }

    private static void classSection(HtmlWriter w, String id, String name, List<Prediction> images, boolean truth) {
        w.open("section", "class", "class", "id", id).element("h2", className(name));
        w.raw("<table>\n<tr><th>Image</th><th>Predicted</th><th>Score</th>");
        if (truth) {
            w.raw("<th>True class</th><th>Result</th>");
        }
        w.raw("</tr>\n");
        for (Prediction p : images) {
            w.open("tr", "class", !p.judged() ? null : p.correct() ? "correct" : "incorrect");
            w.element("td", p.image(), "class", "mono").element("td", p.shownClass())
                    .element("td", ReportPage.number(p.score()), "class", "num");
            if (truth) {
                w.element("td", p.truth());
                if (!p.judged()) {
                    w.element("td", "-");
                } else if (p.correct()) {
                    w.element("td", "\u2713 correct", "class", "ok");
                } else {
                    w.element("td", "\u2717 incorrect", "class", "wrong");
                }
            }
            w.raw("</tr>\n");
        }
        w.raw("</table>\n</section>\n");
    }

    private static String className(String name) {
        return name.isBlank() ? "(no class)" : name;
    }
}
