package io.dnnvis.cli;

import io.dnnvis.cli.AuditTables.TopImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTML report of a dataset audit, made from the files the audit wrote into its output folder
 * (audit.json, topk.csv, predictions.csv, skipped.csv, patches/, recon/): {@code index.html}, one
 * {@code layer-FOLDER.html} per layer and {@code classes.html}. The pages are self-contained: inline
 * CSS and script, pictures by relative path, nothing from the network, so the folder opens offline
 * and can be moved or shared as a whole. Every page is written atomically, index.html last.
 */
final class AuditReport {

    static final String INDEX = "index.html";
    static final String CLASSES = "classes.html";

    private AuditReport() {
    }

    /** Writes the report of the audit in {@code out}; bad or missing audit files are a {@link UserException}. */
    static void write(Path out) {
        AuditInfo info = AuditInfo.read(out.resolve("audit.json"));
        AuditTables tables = AuditTables.read(out);
        Map<AuditInfo.Layer, List<TopImage>> rowsByLayer = rowsByLayer(info, tables.top());
        List<ReportPage.NavEntry> nav = navigation(info);
        var predictions = tables.predictionsByImage();
        AuditAccuracy accuracy = AuditAccuracy.of(new ArrayList<>(predictions.values()));
        for (Map.Entry<AuditInfo.Layer, List<TopImage>> e : rowsByLayer.entrySet()) {
            AuditInfo.Layer layer = e.getKey();
            write(out.resolve(layer.pageName()),
                    AuditLayerPage.render(out, info, layer, e.getValue(), predictions, nav));
        }
        write(out.resolve(CLASSES), AuditClassesPage.render(accuracy, nav));
        write(out.resolve(INDEX), AuditIndexPage.render(info, rowsByLayer, tables, accuracy, nav));
    }

    /** The rows of topk.csv of each layer of audit.json (matched by tensor name), in the order of audit.json. */
    static Map<AuditInfo.Layer, List<TopImage>> rowsByLayer(AuditInfo info, List<TopImage> top) {
        Map<String, List<TopImage>> byTensor = new LinkedHashMap<>();
        for (TopImage r : top) {
            byTensor.computeIfAbsent(r.layer(), k -> new ArrayList<>()).add(r);
        }
        Map<AuditInfo.Layer, List<TopImage>> rows = new LinkedHashMap<>();
        for (AuditInfo.Layer layer : info.layers()) {
            List<TopImage> own = byTensor.get(layer.tensor());
            if (own == null && !layer.alias().isBlank()) {
                own = byTensor.get(layer.alias());
            }
            rows.put(layer, own == null ? List.of() : own);
        }
        return rows;
    }

    private static List<ReportPage.NavEntry> navigation(AuditInfo info) {
        List<ReportPage.NavEntry> nav = new ArrayList<>();
        nav.add(new ReportPage.NavEntry(INDEX, "Summary"));
        for (AuditInfo.Layer layer : info.layers()) {
            nav.add(new ReportPage.NavEntry(layer.pageName(), layer.alias().isBlank() ? layer.tensor() : layer.alias()));
        }
        nav.add(new ReportPage.NavEntry(CLASSES, "Classes"));
        return nav;
    }

    private static void write(Path target, byte[] page) {
        OutputPaths.write(target, page, List.of());
    }
}
