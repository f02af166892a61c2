package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The audit report opened from file:// in a real headless browser (Debian's chromium through
 * chromium-driver): every page loads without a console error, a unit's grid shows with its pictures,
 * sorting by strongest response reorders the units, the filters hide units, and a page of
 * 512 units x 9 images stays quick. Skipped when chromium or chromedriver is not installed
 * ({@code .ci/run} installs both).
 */
class AuditReportBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path folder;

    /** Kept so the level holds: the tests use WebDriver only, never the DevTools protocol it looks for. */
    private static final Logger CDP_NOTICES = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    private static WebDriver browser;
    private static Path out;
    private static final AuditFixture FIXTURE = AuditFixture.standard();

    @BeforeAll
    static void openBrowser() {
        Optional<Path> chromium = executable("chromium");
        Optional<Path> driver = executable("chromedriver");
        if (chromium.isEmpty() || driver.isEmpty()) {
            return; // each test is skipped by requireBrowser()
        }
        out = folder.resolve("audit");
        FIXTURE.write(out);
        AuditReport.write(out);

        CDP_NOTICES.setLevel(Level.SEVERE);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--no-first-run", "--disable-extensions");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.get().toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    }

    @BeforeEach
    void requireBrowser() {
        assumeTrue(browser != null,
                "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)");
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void everyPageLoadsWithoutAConsoleError() {
        List<String> pages = new ArrayList<>(List.of("index.html", "classes.html"));
        FIXTURE.layers().forEach(l -> pages.add("layer-" + l.folder() + ".html"));
        for (String page : pages) {
            open(out.resolve(page));
            assertThat(browser.getTitle()).as(page).startsWith("dnnvis audit: ");
            assertThat(consoleErrors()).as(page).isEmpty();
        }
        open(out.resolve("index.html"));
        browser.findElement(By.linkText("conv3")).click();
        awaitReady();
        assertThat(browser.getCurrentUrl()).endsWith("/layer-conv3.html");
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void aUnitsGridShowsWithItsPictures() {
        open(out.resolve("layer-conv3.html"));
        WebElement unit = browser.findElement(By.id("unit-0"));
        assertThat(unit.isDisplayed()).isTrue();
        List<WebElement> figures = unit.findElements(By.cssSelector(".grid > figure"));
        assertThat(figures).hasSize(FIXTURE.top());
        assertThat(figures).allSatisfy(f -> assertThat(f.isDisplayed()).isTrue());
        List<WebElement> pictures = unit.findElements(By.cssSelector(".grid img"));
        assertThat(pictures).hasSize(2 * FIXTURE.top());
        await("the pictures of unit 0 to load", () -> pictures.stream().allMatch(img -> Boolean.TRUE.equals(
                js("return arguments[0].complete && arguments[0].naturalWidth === 8;", img))));
        Long shownWidth = (Long) js("return Math.round(arguments[0].getBoundingClientRect().width);", pictures.get(0));
        assertThat(shownWidth).as("the 8-pixel patch is shown scaled up").isGreaterThanOrEqualTo(64L);
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void sortingByStrongestResponseReordersTheUnits() {
        open(out.resolve("layer-conv3.html"));
        List<Integer> byNumber = List.of(0, 1, 2, 3, 4, 5);
        assertThat(unitOrder()).isEqualTo(byNumber);
        List<Integer> byStrength = FIXTURE.unitsByStrongestResponse(0);
        assertThat(byStrength).isNotEqualTo(byNumber);
        browser.findElement(By.id("sort-strongest")).click();
        assertThat(unitOrder()).isEqualTo(byStrength);
        assertThat(browser.findElement(By.id("sort-strongest")).getAttribute("aria-pressed")).isEqualTo("true");
        List<WebElement> sections = browser.findElements(By.cssSelector("#units > section.unit"));
        double above = Double.NEGATIVE_INFINITY;
        for (WebElement s : sections) { // the order on the screen, not only in the document
            double y = ((Number) js("return arguments[0].getBoundingClientRect().top;", s)).doubleValue();
            assertThat(y).isGreaterThan(above);
            above = y;
        }
        browser.findElement(By.id("sort-unit")).click();
        assertThat(unitOrder()).isEqualTo(byNumber);
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void theFiltersHideUnits() {
        open(out.resolve("layer-conv3.html"));
        WebElement units = browser.findElement(By.id("filter-units"));
        units.sendKeys("1, 3-4");
        assertThat(shownUnits()).containsExactly(1, 3, 4);
        assertThat(browser.findElement(By.id("unit-0")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("shown")).getText()).isEqualTo("3 of 6 units");
        units.clear();
        units.sendKeys("x");
        assertThat(units.getAttribute("class")).contains("bad");
        assertThat(shownUnits()).hasSize(6);
        clear(units);
        assertThat(shownUnits()).containsExactly(0, 1, 2, 3, 4, 5);

        String cls = "D";
        List<Integer> withD = new ArrayList<>();
        for (int u = 0; u < 6; u++) {
            for (int r = 1; r <= FIXTURE.top(); r++) {
                AuditFixture.Image i = FIXTURE.imageOf(0, u, r);
                if ((i.label().equals(cls) || i.truth().equals(cls)) && !withD.contains(u)) {
                    withD.add(u);
                }
            }
        }
        assertThat(withD).isNotEmpty().hasSizeLessThan(6);
        chooseClass(cls);
        assertThat(shownUnits()).isEqualTo(withD);
        chooseClass(AuditFixture.HOSTILE_LABEL);
        assertThat(shownUnits()).isNotEmpty();
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void aLayerOf512UnitsTimesNineImagesStaysQuick() {
        Path big = folder.resolve("big");
        AuditFixture.large(512, 9, 2000).write(big);
        AuditReport.write(big);
        long start = System.nanoTime();
        open(big.resolve("layer-conv5.html"));
        long loadMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(browser.findElements(By.cssSelector("#units > section.unit"))).hasSize(512);
        long sortMs = ((Number) js("var t = performance.now(); document.getElementById('sort-strongest').click();"
                + " document.body.getBoundingClientRect(); return performance.now() - t;")).longValue();
        long filterMs = ((Number) js("var t = performance.now(); var i = document.getElementById('filter-units');"
                + " i.value = '100-199'; i.dispatchEvent(new Event('input')); document.body.getBoundingClientRect();"
                + " return performance.now() - t;")).longValue();
        assertThat(shownUnits()).hasSize(100);
        Long loadedImages = (Long) js("return Array.prototype.filter.call(document.images,"
                + " function (i) { return i.complete && i.naturalWidth > 0; }).length;");
        System.out.printf("512 units x 9 images in the browser: load %d ms, sort %d ms, filter %d ms,"
                + " %d of %d pictures loaded at first%n", loadMs, sortMs, filterMs, loadedImages, 512 * 9 * 2);
        assertThat(loadMs).isLessThan(15_000);
        assertThat(sortMs).isLessThan(2_000);
        assertThat(filterMs).isLessThan(2_000);
        assertThat(loadedImages).as("lazy pictures: only those near the screen load").isLessThan(512 * 9);
        assertThat(consoleErrors()).isEmpty();
    }

    private static void open(Path page) {
        browser.get(page.toUri().toString());
        awaitReady();
    }

    private static void awaitReady() {
        await("the page to load", () -> "complete".equals(js("return document.readyState;"))
                && (browser.getCurrentUrl().contains("/layer-")
                ? "true".equals(js("return document.body.getAttribute('data-ready');")) : true));
    }

    private static List<Integer> unitOrder() {
        List<Integer> order = new ArrayList<>();
        for (WebElement s : browser.findElements(By.cssSelector("#units > section.unit"))) {
            order.add(Integer.parseInt(s.getAttribute("data-unit")));
        }
        return order;
    }

    private static List<Integer> shownUnits() {
        List<Integer> shown = new ArrayList<>();
        for (WebElement s : browser.findElements(By.cssSelector("#units > section.unit"))) {
            if (s.isDisplayed()) {
                shown.add(Integer.parseInt(s.getAttribute("data-unit")));
            }
        }
        return shown;
    }

    /** Picks the option of {@code value} in the class filter, as a user would. */
    private static void chooseClass(String value) {
        WebElement select = browser.findElement(By.id("filter-class"));
        select.click();
        select.findElements(By.tagName("option")).stream().filter(o -> value.equals(o.getAttribute("value")))
                .findFirst().orElseThrow(() -> new AssertionError("no class option " + value)).click();
    }

    private static void clear(WebElement input) {
        input.clear();
        js("arguments[0].dispatchEvent(new Event('input'));", input);
    }

    /** The console's errors since the last call (warnings and worse). */
    private static List<String> consoleErrors() {
        List<String> errors = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.WARNING.intValue()) {
                errors.add(e.getLevel() + " " + e.getMessage());
            }
        }
        return errors;
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** {@code name} on the PATH (or in /usr/bin), when it is an executable file. */
    private static Optional<Path> executable(String name) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("") + File.pathSeparator + "/usr/bin";
        return Stream.of(path.split(File.pathSeparator)).filter(d -> !d.isEmpty()).map(d -> Path.of(d, name))
                .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
    }
}
