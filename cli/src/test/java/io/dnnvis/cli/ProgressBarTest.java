package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void theLineShowsTheStageTheCountTheRateAndTheTimeLeft() {
        // 10 of 40 rows in 2 s: a quarter of 30 marks, 5 rows/s, 30 rows left = 6 s
        assertThat(ProgressBar.line("pictures", "rows", 10, 10, 40, 2_000_000_000L))
                .isEqualTo("pictures [#######-----------------------] 10/40 rows, 5.0/s, ETA 0:06 ");
        // a resumed run: 100 done before, 50 in 10 s: 5/s, 850 left = 2:50
        assertThat(ProgressBar.line("audit", "images", 50, 150, 1000, 10_000_000_000L))
                .isEqualTo("audit [####--------------------------] 150/1000 images, 5.0/s, ETA 2:50 ");
    }
}
