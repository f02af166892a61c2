package io.dnnvis.cli;

import io.dnnvis.cli.AuditTables.Prediction;
import io.dnnvis.cli.AuditTables.TopImage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The page of one audited layer: for every unit its top K images, each as the receptive-field patch
 * beside the unit's reconstruction there, with the activation, the image name and its predicted class.
 * The page's own script sorts the units (by number, by strongest response) and filters them (by unit
 * numbers, by the class of their images); the images load lazily, so 512 units x 9 images stay usable.
 */
final class AuditLayerPage {

    /** Sorting and filtering; reads only the page's elements and their data- attributes, never their text. */
    static final String SCRIPT = """
            (function () {
              'use strict';
              var list = document.getElementById('units');
              var units = Array.prototype.slice.call(list.querySelectorAll('section.unit'));
              function strength(s) {
                var v = parseFloat(s.getAttribute('data-max'));
                return isNaN(v) ? -Infinity : v;
              }
              function unitOf(s) { return Number(s.getAttribute('data-unit')); }
              var orders = {
                unit: units.slice().sort(function (a, b) { return unitOf(a) - unitOf(b); }),
                strongest: units.slice().sort(function (a, b) {
                  var d = strength(b) - strength(a);
                  return d !== 0 ? d : unitOf(a) - unitOf(b);
                })
              };
              var sortButtons = Array.prototype.slice.call(document.querySelectorAll('button[data-sort]'));
              function sortBy(key) {
                var fragment = document.createDocumentFragment();
                orders[key].forEach(function (s) { fragment.appendChild(s); });
                list.appendChild(fragment);
                sortButtons.forEach(function (b) {
                  b.setAttribute('aria-pressed', String(b.getAttribute('data-sort') === key));
                });
              }
              sortButtons.forEach(function (b) {
                b.addEventListener('click', function () { sortBy(b.getAttribute('data-sort')); });
              });
              var unitInput = document.getElementById('filter-units');
              var classSelect = document.getElementById('filter-class');
              var shownLabel = document.getElementById('shown');
              function unitRanges(text) {
                var ranges = [];
                var tokens = text.split(/[\\s,]+/).filter(function (t) { return t.length > 0; });
                for (var i = 0; i < tokens.length; i++) {
                  var m = /^(\\d+)(?:-(\\d+))?$/.exec(tokens[i]);
                  if (!m) { return null; }
                  ranges.push([Number(m[1]), Number(m[2] === undefined ? m[1] : m[2])]);
                }
                return ranges;
              }
              function applyFilters() {
                var ranges = unitRanges(unitInput.value);
                unitInput.classList.toggle('bad', ranges === null);
                if (ranges === null) { ranges = []; }
                var cls = classSelect.value;
                var shown = 0;
                units.forEach(function (s) {
                  var u = unitOf(s);
                  var unitMatches = ranges.length === 0 || ranges.some(function (r) { return u >= r[0] && u <= r[1]; });
                  var classMatches = cls === '';
                  s.querySelectorAll('figure').forEach(function (f) {
                    var match = cls === '' || f.getAttribute('data-class') === cls || f.getAttribute('data-true') === cls;
                    f.classList.toggle('dim', !match);
                    if (match) { classMatches = true; }
                  });
                  s.hidden = !(unitMatches && classMatches);
                  if (!s.hidden) { shown++; }
                });
                shownLabel.textContent = shown + ' of ' + units.length + ' units';
              }
              unitInput.addEventListener('input', applyFilters);
              classSelect.addEventListener('change', applyFilters);
              applyFilters();
              document.body.setAttribute('data-ready', 'true');
            })();
            """;

    static final String PATCHES = "patches";
    static final String RECON = "recon";

    private AuditLayerPage() {
    }

    /**
     * The picture files of a layer: the names in {@code patches/FOLDER} and {@code recon/FOLDER}
     * ({@code recons} null when the audit made no reconstructions), listed once rather than looked up
     * one by one.
     */
    private record Pictures(String folder, Set<String> patches, Set<String> recons) {

        static Pictures of(Path out, String folder, boolean withRecons) {
            return new Pictures(folder, names(out.resolve(PATCHES).resolve(folder)),
                    withRecons ? names(out.resolve(RECON).resolve(folder)) : null);
        }

        private static Set<String> names(Path dir) {
            Set<String> names = new HashSet<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.png")) {
                for (Path f : files) {
                    names.add(f.getFileName().toString());
                }
            } catch (NoSuchFileException | NotDirectoryException e) {
                return Set.of();
            } catch (IOException e) {
                throw new UserException(dir + ": cannot list the pictures (" + e.getMessage() + ")");
            }
            return names;
        }
    }

    /**
     * The page of {@code layer}, whose rows of topk.csv are {@code rows}; {@code out} is the audit's
     * folder (to tell which pictures exist).
     */
    static byte[] render(Path out, AuditInfo info, AuditInfo.Layer layer, List<TopImage> rows,
                         Map<String, Prediction> predictions, List<ReportPage.NavEntry> nav) {
        TreeMap<Integer, List<TopImage>> byUnit = new TreeMap<>();
        for (TopImage r : rows) {
            byUnit.computeIfAbsent(r.unit(), u -> new ArrayList<>()).add(r);
        }
        byUnit.values().forEach(l -> l.sort(Comparator.comparingInt(TopImage::rank)));
        int unitCount = Math.max(layer.units(), byUnit.isEmpty() ? 0 : byUnit.lastKey() + 1);

        HtmlWriter w = ReportPage.begin("dnnvis audit: " + layer.title(), "Layer " + layer.title(), nav,
                layer.pageName());
        w.open("p", "class", "muted").text(unitCount + " units; shape " + blankAsDash(layer.shape())
                + "; the top " + blankAsDash(info.top()) + " images of each unit: the receptive field"
                + (info.hasReconstructions() ? " beside the " + info.method() + " reconstruction of the unit there"
                : "") + ".").close("p").raw("\n");
        ReportPage.endHeader(w);
        controls(w, unitCount, classes(rows, predictions));
        w.raw("<main id=\"units\">\n");
        Pictures pictures = Pictures.of(out, layer.folder(), info.hasReconstructions());
        for (int unit = 0; unit < unitCount; unit++) {
            unitSection(w, pictures, unit, byUnit.getOrDefault(unit, List.of()), predictions);
        }
        w.raw("</main>\n");
        return ReportPage.end(w, SCRIPT);
    }

    private static void controls(HtmlWriter w, int unitCount, TreeSet<String> classes) {
        w.raw("<div class=\"controls\">\n<span>Sort by</span>");
        w.open("button", "type", "button", "id", "sort-unit", "data-sort", "unit", "aria-pressed", "true")
                .text("unit number").close("button");
        w.open("button", "type", "button", "id", "sort-strongest", "data-sort", "strongest", "aria-pressed", "false")
                .text("strongest response").close("button");
        w.raw("\n<label>Units ");
        w.open("input", "type", "text", "id", "filter-units", "placeholder", "e.g. 3, 10-20", "autocomplete", "off");
        w.raw("</label>\n<label>Images of class ");
        w.open("select", "id", "filter-class").element("option", "any", "value", "");
        for (String c : classes) {
            w.element("option", c, "value", c);
        }
        w.raw("</select></label>\n");
        w.element("span", unitCount + " of " + unitCount + " units", "id", "shown", "aria-live", "polite");
        w.raw("\n</div>\n");
    }

    /** The predicted and the true classes of the images on the page, sorted. */
    private static TreeSet<String> classes(List<TopImage> rows, Map<String, Prediction> predictions) {
        TreeSet<String> classes = new TreeSet<>();
        for (TopImage r : rows) {
            Prediction p = predictions.get(r.image());
            if (p != null) {
                classes.add(p.shownClass());
                if (p.judged()) {
                    classes.add(p.truth());
                }
            }
        }
        classes.remove("");
        return classes;
    }

    private static void unitSection(HtmlWriter w, Pictures pictures, int unit, List<TopImage> top,
                                    Map<String, Prediction> predictions) {
        String max = top.isEmpty() ? "" : Double.toString(top.get(0).activation());
        w.open("section", "class", "unit", "id", "unit-" + unit, "data-unit", Integer.toString(unit), "data-max", max);
        w.open("h2").text("unit " + unit);
        w.element("span", top.isEmpty() ? "no images" : "max " + ReportPage.number(top.get(0).activation()),
                "class", "max");
        w.close("h2").raw("<div class=\"grid\">\n");
        for (TopImage t : top) {
            figure(w, pictures, t, predictions.get(t.image()));
        }
        w.raw("</div></section>\n");
    }

    private static void figure(HtmlWriter w, Pictures pictures, TopImage t, Prediction p) {
        String file = "u" + t.unit() + "_r" + t.rank() + ".png";
        w.open("figure", "data-class", p == null ? "" : p.shownClass(), "data-true", p == null ? "" : p.truth());
        w.open("div", "class", "pair", "title", "maximum at (" + t.y() + ", " + t.x() + "); receptive field rows "
                + t.y0() + "-" + t.y1() + ", columns " + t.x0() + "-" + t.x1());
        picture(w, pictures.folder(), PATCHES, file, pictures.patches().contains(file), "patch");
        if (pictures.recons() != null) {
            picture(w, pictures.folder(), RECON, file, pictures.recons().contains(file), "reconstruction");
        }
        w.raw("</div><figcaption>");
        w.text("#" + t.rank() + " ").element("span", ReportPage.number(t.activation()), "class", "act");
        w.raw("<br>").element("span", fileName(t.image()), "class", "img", "title", t.image());
        if (p != null && p.hasClass()) {
            w.raw("<br>").text("\u2192 " + p.shownClass() + " " + ReportPage.number(p.score()));
            if (p.judged()) {
                w.raw(" ");
                if (p.correct()) {
                    w.element("span", "\u2713", "class", "ok", "title", "true class " + p.truth());
                } else {
                    w.element("span", "\u2717 " + p.truth(), "class", "wrong", "title", "true class " + p.truth());
                }
            }
        }
        w.raw("</figcaption></figure>\n");
    }

    private static void picture(HtmlWriter w, String folder, String kind, String file, boolean exists,
                                String what) {
        if (exists) {
            w.open("img", "src", HtmlWriter.relativeUrl(kind, folder, file), "loading", "lazy",
                    "alt", what);
        } else {
            w.element("span", "no " + what, "class", "missing");
        }
    }

    /** The last part of a relative image path. */
    static String fileName(String image) {
        int slash = Math.max(image.lastIndexOf('/'), image.lastIndexOf('\\'));
        return image.substring(slash + 1);
    }

    private static String blankAsDash(String s) {
        return s.isBlank() ? "-" : s;
    }
}
