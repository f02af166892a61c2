package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's building blocks: escaping, relative URLs and the CSV reader. */
class HtmlWriterTest {

    @TempDir
    Path dir;

    @Test
    void textAndAttributesAreEscaped() {
        assertThat(HtmlWriter.escape("<a href=\"x\">Tom & 'Jerry'</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
        assertThat(HtmlWriter.escape("plain \u00e9t\u00e9 \n\ttext")).isEqualTo("plain \u00e9t\u00e9 \n\ttext");
        assertThat(HtmlWriter.escape("bell\u0007null\u0000")).isEqualTo("bell\uFFFDnull\uFFFD");
        HtmlWriter w = new HtmlWriter().open("img", "src", "a.png", "alt", "\"><script>", "title", null, "hidden", "");
        assertThat(w.toString()).isEqualTo("<img src=\"a.png\" alt=\"&quot;&gt;&lt;script&gt;\" hidden>");
    }

    @Test
    void relativeUrlsEncodeEverySegmentWhole() {
        assertThat(HtmlWriter.relativeUrl("patches", "conv 1", "u0_r1.png")).isEqualTo("patches/conv%201/u0_r1.png");
        assertThat(HtmlWriter.relativeUrl("http://x.org/?a#b")).isEqualTo("http%3A%2F%2Fx.org%2F%3Fa%23b");
        assertThat(HtmlWriter.relativeUrl("\u00e9%")).isEqualTo("%C3%A9%25");
    }

    @Test
    void csvFieldsInQuotesKeepCommasQuotesAndLineBreaksAndRowsKeepTheirLineNumbers() throws Exception {
        Path file = Files.writeString(dir.resolve("t.csv"),
                "\uFEFFb,a\r\n\"x,1\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",3\r\n\r\nlast,\n");
        CsvTable t = CsvTable.read(file, List.of("a", "b"));
        assertThat(t.rows()).extracting(r -> t.get(r, "b")).containsExactly("x,1", "two\nlines", "last");
        assertThat(t.rows()).extracting(r -> t.get(r, "a")).containsExactly("say \"hi\"", "3", "");
        assertThat(t.rows()).extracting(CsvTable.Row::line).containsExactly(2, 3, 6);
        assertThat(t.integer(t.rows().get(1), "a")).isEqualTo(3);
        UserException e = catchThrowableOfType(() -> t.integer(t.rows().get(2), "b"), UserException.class);
        assertThat(e).hasMessage(file + ": line 6: b 'last' is not an integer");
    }

    @Test
    void aRowWithTheWrongNumberOfFieldsNamesItsLine() throws Exception {
        Path file = Files.writeString(dir.resolve("t.csv"), "a,b\n1,2\n1,2,3\n");
        UserException e = catchThrowableOfType(() -> CsvTable.read(file, List.of("a")), UserException.class);
        assertThat(e).hasMessage(file + ": line 3 has 3 fields, the header 2");
    }
}
