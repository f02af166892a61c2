package io.dnnvis.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuotedTest {

    @Test
    void shortTextStaysAsItIsOnOneLine() {
        assertThat(Quoted.name("conv4")).isEqualTo("conv4");
        assertThat(Quoted.message("first line\n  second\r\n\tthird")).isEqualTo("first line   second third");
        assertThat(Quoted.name("a\u0001b\u2028")).isEqualTo("a\\u0001b\\u2028");
    }

    @Test
    void longNamesAndMessagesAreCutWithAnEllipsis() {
        String name = "n".repeat(100_000);
        String cut = Quoted.name(name);
        assertThat(cut).hasSize(Quoted.NAME_LENGTH).endsWith("…").startsWith("nnnn");
        String message = ("op FooBar is not a registered function\n").repeat(50);
        String one = Quoted.message(message);
        assertThat(one).hasSizeLessThanOrEqualTo(Quoted.MESSAGE_LENGTH).endsWith("…").doesNotContain("\n");
        assertThat(Quoted.name("x".repeat(Quoted.NAME_LENGTH))).isEqualTo("x".repeat(Quoted.NAME_LENGTH));
        assertThat(Quoted.name("x".repeat(Quoted.NAME_LENGTH + 1))).hasSize(Quoted.NAME_LENGTH).endsWith("x…");
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String emoji = "\uD83D\uDE00".repeat(100);
        String cut = Quoted.name(emoji);
        assertThat(cut).endsWith("…");
        assertThat(Character.isHighSurrogate(cut.charAt(cut.length() - 2))).isFalse();
    }

    @Test
    void userErrorsAreOneBoundedLine() {
        UserErrorException e = new UserErrorException("m.onnx: " + "y".repeat(1_000_000) + "\nmore");
        assertThat(e.getMessage()).hasSize(Quoted.LINE_LENGTH).doesNotContain("\n").startsWith("m.onnx: yyy");
        assertThat(new UnknownLayerException("z".repeat(50_000), java.util.List.of("w".repeat(50_000)))
                .getMessage()).hasSizeLessThan(400).contains("nearest: www");
    }
}
