package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit report's HTML, parsed: a grid of K figures (patch beside reconstruction) per unit, links
 * between the pages, accuracy and confusions from the true classes, names from files kept as text,
 * and nothing that points outside the output folder.
 */
class AuditReportTest {

    @TempDir
    Path out;

    private final AuditFixture fixture = AuditFixture.standard();

    @BeforeEach
    void writeReport() {
        fixture.write(out);
        AuditReport.write(out);
    }

    @Test
    void writesTheIndexOneLayerPagePerLayerAndTheClassesPage() throws IOException {
        assertThat(out.resolve("index.html")).isRegularFile();
        assertThat(out.resolve("layer-conv3.html")).isRegularFile();
        assertThat(out.resolve("layer-features.10.html")).isRegularFile();
        assertThat(out.resolve("classes.html")).isRegularFile();
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp") || n.startsWith(".")))
                    .as("no temporary file left").isEmpty();
        }
    }

    @Test
    void everyUnitHasAGridOfItsTopKPatchesBesideTheirReconstructions() throws IOException {
        for (int l = 0; l < fixture.layers().size(); l++) {
            AuditFixture.Layer layer = fixture.layers().get(l);
            Document page = parse("layer-" + layer.folder() + ".html");
            Elements units = page.select("main#units > section.unit");
            assertThat(units).hasSize(layer.units());
            for (int u = 0; u < layer.units(); u++) {
                Element section = units.get(u);
                assertThat(section.id()).isEqualTo("unit-" + u);
                assertThat(section.attr("data-unit")).isEqualTo(Integer.toString(u));
                assertThat(Double.parseDouble(section.attr("data-max"))).isEqualTo(AuditFixture.activation(l, u, 1));
                Elements figures = section.select(".grid > figure");
                assertThat(figures).hasSize(fixture.top());
                for (int r = 1; r <= fixture.top(); r++) {
                    Element figure = figures.get(r - 1);
                    AuditFixture.Image image = fixture.imageOf(l, u, r);
                    Elements imgs = figure.select(".pair > img");
                    assertThat(imgs.eachAttr("src")).containsExactly(
                            "patches/" + layer.folder() + "/u" + u + "_r" + r + ".png",
                            "recon/" + layer.folder() + "/u" + u + "_r" + r + ".png");
                    assertThat(imgs.eachAttr("loading")).containsExactly("lazy", "lazy");
                    Element caption = figure.selectFirst("figcaption");
                    assertThat(caption.selectFirst(".act").text())
                            .isEqualTo(String.format(Locale.ROOT, "%.4f", AuditFixture.activation(l, u, r)));
                    assertThat(caption.selectFirst(".img").attr("title")).isEqualTo(image.name());
                    assertThat(caption.selectFirst(".img").wholeText())
                            .isEqualTo(image.name().substring(image.name().lastIndexOf('/') + 1));
                    assertThat(caption.text()).contains("\u2192 " + image.label() + " ");
                    assertThat(figure.attr("data-class")).isEqualTo(image.label());
                    assertThat(figure.attr("data-true")).isEqualTo(image.truth());
                    if (!image.truth().isEmpty()) {
                        assertThat(caption.select(image.correct() ? ".ok" : ".wrong")).hasSize(1);
                    }
                }
            }
        }
    }

    @Test
    void theLayerPageOffersSortingAndTheClassesOfItsImagesAsFilters() throws IOException {
        Document page = parse("layer-conv3.html");
        assertThat(page.select("button[data-sort]").eachAttr("data-sort")).containsExactly("unit", "strongest");
        assertThat(page.select("#filter-units")).hasSize(1);
        List<String> expected = new ArrayList<>();
        expected.add("");
        fixture.rows().stream().filter(r -> r.layer() == fixture.layers().get(0))
                .flatMap(r -> Stream.of(r.image().label(), r.image().truth())).filter(c -> !c.isEmpty())
                .distinct().sorted().forEach(expected::add);
        assertThat(page.select("#filter-class > option").eachAttr("value")).isEqualTo(expected);
        assertThat(page.selectFirst("#shown").text()).isEqualTo("6 of 6 units");
    }

    @Test
    void namesFromFilesStayText() throws IOException {
        for (String name : pages()) {
            Document page = parse(name);
            Elements scripts = page.select("script");
            assertThat(scripts.size()).as(name).isLessThanOrEqualTo(1);
            for (Element s : scripts) {
                assertThat(s.hasAttr("src")).isFalse();
                assertThat(s.data()).doesNotContain("alert(");
            }
            assertThat(page.select("iframe, b, img[src=x], [onerror]")).as(name).isEmpty();
        }
        Document layer = parse("layer-conv3.html");
        assertThat(layer.select("figcaption .img").eachAttr("title"))
                .contains("A/" + AuditFixture.SCRIPT_NAME, "B/" + AuditFixture.QUOTE_NAME);
        assertThat(layer.select("figcaption .img").eachText()).contains(AuditFixture.QUOTE_NAME);
        assertThat(layer.select("figure").eachAttr("data-class")).contains(AuditFixture.HOSTILE_LABEL);
        Document index = parse("index.html");
        assertThat(index.select("#skipped-files td.mono").eachText())
                .containsExactly(AuditFixture.SKIPPED_NAME, "notes.txt");
        assertThat(index.select("#skipped-files tr").get(1).child(1).text()).isEqualTo("cannot decode: \"bad\" <header>");
        assertThat(index.select("#layers a").eachText()).containsExactly("conv3", "<b>deep</b>");
        assertThat(index.title()).isEqualTo("dnnvis audit: glyph<net>.onnx");
        Document classes = parse("classes.html");
        assertThat(classes.select("section.class td.mono").eachText())
                .contains("A/" + AuditFixture.SCRIPT_NAME, "B/" + AuditFixture.QUOTE_NAME, "D/line break.png");
    }

    @Test
    void noPageLoadsAnythingFromOutsideTheFolder() throws IOException {
        for (String name : pages()) {
            Document page = parse(name);
            assertThat(page.select("link, iframe, object, embed, base, script[src]")).as(name).isEmpty();
            for (Element e : page.select("[src], [href]")) {
                String url = e.hasAttr("src") ? e.attr("src") : e.attr("href");
                assertThat(url).as(name + ": " + e).doesNotStartWith("//").doesNotContain(":").isNotBlank();
                String path = url.contains("#") ? url.substring(0, url.indexOf('#')) : url;
                String fragment = url.contains("#") ? url.substring(url.indexOf('#') + 1) : "";
                Path target = path.isEmpty() ? out.resolve(name)
                        : out.resolve(URLDecoder.decode(path, StandardCharsets.UTF_8)).normalize();
                assertThat(target).as(name + ": " + url).startsWith(out).isRegularFile();
                if (!fragment.isEmpty()) {
                    assertThat(Jsoup.parse(target.toFile(), "UTF-8").getElementById(fragment)).as(url).isNotNull();
                }
            }
            String csp = page.selectFirst("meta[http-equiv=Content-Security-Policy]").attr("content");
            assertThat(csp).startsWith("default-src 'none'").doesNotContain("http");
        }
    }

    @Test
    void everyPageLinksToTheOthers() throws IOException {
        List<String> pages = pages();
        for (String name : pages) {
            assertThat(parse(name).select("header nav a").eachAttr("href")).as(name).containsExactlyElementsOf(pages);
            assertThat(parse(name).select("header nav a[aria-current]").eachAttr("href")).containsExactly(name);
        }
        assertThat(parse("index.html").select("#layers a").eachAttr("href"))
                .containsExactly("layer-conv3.html", "layer-features.10.html");
    }

    @Test
    void theIndexSummarisesHowTheAuditWasMade() throws IOException {
        Map<String, String> summary = new LinkedHashMap<>();
        for (Element row : parse("index.html").select("#summary tr")) {
            summary.put(row.child(0).text(), row.child(1).text());
        }
        assertThat(summary).containsEntry("Model", "models/glyph<net>.onnx")
                .containsEntry("Model SHA-256", "ab12".repeat(16)).containsEntry("Method", "deconvnet")
                .containsEntry("Top images per unit", "3").containsEntry("Images", "12")
                .containsEntry("Skipped files", "2").containsEntry("True classes from", "folder")
                .containsEntry("Preprocessing", "{\"scale\":\"1/255\",\"size\":[64,64]}")
                .containsEntry("Finished", "2026-12-07T01:02:03Z");
        Elements layers = parse("index.html").select("#layers tr");
        assertThat(layers).hasSize(3);
        assertThat(layers.get(1).child(1).text()).isEqualTo("/features/features.6/Relu_output_0");
        assertThat(layers.get(1).child(2).text()).isEqualTo("6");
        assertThat(layers.get(1).child(3).text()).isEqualTo("[1,6,8,8]");
        assertThat(layers.get(1).child(4).text()).isEqualTo("0");
    }

    @Test
    void theIndexGivesTheAccuracyAndTheTopConfusions() throws IOException {
        List<AuditFixture.Image> labelled = fixture.images().stream().filter(i -> !i.truth().isEmpty()).toList();
        long correct = labelled.stream().filter(AuditFixture.Image::correct).count();
        Document index = parse("index.html");
        assertThat(index.selectFirst("#accuracy").text()).isEqualTo("Accuracy: "
                + String.format(Locale.ROOT, "%.1f%%", 100.0 * correct / labelled.size()) + " (" + correct + " of "
                + labelled.size() + " images with a true class)");
        Map<String, Integer> wrong = new LinkedHashMap<>();
        for (AuditFixture.Image i : labelled) {
            if (!i.correct()) {
                wrong.merge(i.truth() + " -> " + i.label(), 1, Integer::sum);
            }
        }
        Map<String, Integer> shown = new LinkedHashMap<>();
        Elements rows = index.select("#confusions tr");
        for (Element row : rows.subList(1, rows.size())) {
            shown.put(row.child(0).text() + " -> " + row.child(1).text(), Integer.parseInt(row.child(2).text()));
        }
        assertThat(shown).isEqualTo(wrong.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue() != 0
                        ? b.getValue() - a.getValue() : a.getKey().compareTo(b.getKey()))
                .collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(), e.getValue()), Map::putAll));
        // B -> A: 2 of the 3 images of B
        assertThat(rows.get(1).child(3).text()).isEqualTo(String.format(Locale.ROOT, "%.1f%%", 200.0 / 3));
    }

    @Test
    void theClassesPageListsEveryImageUnderItsTrueClassMarkedCorrectOrNot() throws IOException {
        Document classes = parse("classes.html");
        Map<String, List<String>> expected = new LinkedHashMap<>();
        fixture.images().stream().sorted((a, b) -> a.truth().compareTo(b.truth()))
                .forEach(i -> expected.computeIfAbsent(i.truth().isEmpty() ? "(no class)" : i.truth(),
                        k -> new ArrayList<>()).add(i.name().replace('\n', ' ')));
        expected.values().forEach(l -> l.sort(null));
        Map<String, List<String>> shown = new LinkedHashMap<>();
        for (Element section : classes.select("section.class")) {
            shown.put(section.selectFirst("h2").text(), section.select("td.mono").eachText());
        }
        assertThat(shown).isEqualTo(expected);
        for (AuditFixture.Image i : fixture.images()) {
            Element row = classes.select("section.class tr").stream()
                    .filter(tr -> tr.childrenSize() > 0 && tr.child(0).wholeText().equals(i.name())).findFirst()
                    .orElseThrow();
            assertThat(row.child(1).text()).isEqualTo(i.label());
            assertThat(row.className()).isEqualTo(i.truth().isEmpty() ? "" : i.correct() ? "correct" : "incorrect");
        }
        assertThat(classes.select("#class-overview a").eachAttr("href")).containsExactlyElementsOf(
                Stream.iterate(0, k -> k + 1).limit(expected.size()).map(k -> "#class-" + k).toList());
    }

    @Test
    void withoutReconstructionsEachFigureIsThePatchAlone() throws IOException {
        Path none = out.resolve("none");
        fixture.withMethod("none").write(none);
        AuditReport.write(none);
        Document page = Jsoup.parse(none.resolve("layer-conv3.html").toFile(), "UTF-8");
        assertThat(page.select("figure")).hasSize(6 * 3);
        assertThat(page.select("figure .pair > img")).hasSize(6 * 3)
                .allSatisfy(img -> assertThat(img.attr("src")).startsWith("patches/conv3/"));
    }

    @Test
    void aMissingPictureIsMarkedInsteadOfLinked() throws IOException {
        Files.delete(out.resolve("recon/conv3/u2_r3.png"));
        AuditReport.write(out);
        Element figure = parse("layer-conv3.html").select("#unit-2 figure").get(2);
        assertThat(figure.select("img")).hasSize(1);
        assertThat(figure.selectFirst(".missing").text()).isEqualTo("no reconstruction");
    }

    @Test
    void badAuditFilesAreOneLineNamingTheFile() throws IOException {
        Path empty = Files.createDirectory(out.resolve("empty"));
        assertThat(refused(empty)).isEqualTo(empty.resolve("audit.json") + ": no such file");

        Path badNumber = out.resolve("bad-number");
        fixture.write(badNumber);
        Path topk = badNumber.resolve("topk.csv");
        List<String> lines = new ArrayList<>(Files.readAllLines(topk));
        lines.set(2, lines.get(2).replaceAll(",[0-9.]+,0,0,7,7$", ",abc,0,0,7,7"));
        Files.write(topk, lines);
        assertThat(refused(badNumber)).isEqualTo(topk + ": line 3: activation 'abc' is not a finite number");

        Files.writeString(topk, "layer,unit,rank,image\nx,0,1,a.png\n");
        assertThat(refused(badNumber)).isEqualTo(topk + ": no column 'y' in the header line");

        Files.writeString(topk, "layer,unit,rank,image,y,x,activation,y0,x0,y1,x1\nx,0,1,\"a.png,0,0,1,0,0,1,1\n");
        assertThat(refused(badNumber)).isEqualTo(topk + ": line 2: a quote is never closed");

        Path escape = out.resolve("escape");
        fixture.write(escape);
        Path json = escape.resolve("audit.json");
        Files.writeString(json, Files.readString(json).replace("\"folder\":\"conv3\"", "\"folder\":\"../up\""));
        assertThat(refused(escape)).isEqualTo(json + ": layer '/features/features.6/Relu_output_0': folder '../up'"
                + " is not a plain folder name");
        assertThat(escape.resolve("index.html")).doesNotExist();
    }

    @Test
    void fieldsInQuotesMayHoldCommasQuotesAndLineBreaks() {
        AuditTables tables = AuditTables.read(out);
        assertThat(tables.predictions().stream().map(AuditTables.Prediction::image))
                .containsExactlyElementsOf(fixture.images().stream().map(AuditFixture.Image::name).toList());
        assertThat(tables.skipped()).containsExactly(
                new AuditTables.SkippedFile(AuditFixture.SKIPPED_NAME, "cannot decode: \"bad\" <header>"),
                new AuditTables.SkippedFile("notes.txt", "not an image"));
        assertThat(tables.top()).hasSize(fixture.rows().size());
    }

    private String refused(Path folder) {
        UserException e = catchThrowableOfType(() -> AuditReport.write(folder), UserException.class);
        assertThat(e).as("refused").isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n");
        return e.getMessage();
    }

    private List<String> pages() {
        List<String> pages = new ArrayList<>();
        pages.add("index.html");
        fixture.layers().forEach(l -> pages.add("layer-" + l.folder() + ".html"));
        pages.add("classes.html");
        return pages;
    }

    private Document parse(String page) throws IOException {
        return Jsoup.parse(out.resolve(page).toFile(), "UTF-8");
    }
}
