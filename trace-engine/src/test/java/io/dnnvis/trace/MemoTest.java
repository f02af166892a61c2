package io.dnnvis.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A value is computed once per key; a failed computation is forgotten, and {@link Memo#has} says so. */
class MemoTest {

    @Test
    void computesOncePerKeyAndForgetsFailures() {
        Memo<String, Integer> memo = new Memo<>();
        AtomicInteger calls = new AtomicInteger();
        assertThat(memo.has("a")).isFalse();
        assertThat(memo.get("a", k -> calls.incrementAndGet())).isEqualTo(1);
        assertThat(memo.get("a", k -> calls.incrementAndGet())).isEqualTo(1);
        assertThat(memo.has("a")).isTrue();
        assertThatThrownBy(() -> memo.get("b", k -> {
            throw new IllegalStateException("no");
        })).isInstanceOf(IllegalStateException.class).hasMessage("no");
        assertThat(memo.has("b")).isFalse();
        assertThat(memo.get("b", k -> 7)).isEqualTo(7);
        assertThat(memo.values()).containsExactlyInAnyOrder(1, 7);
    }
}
