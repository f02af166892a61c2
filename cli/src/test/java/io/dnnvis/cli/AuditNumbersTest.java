package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The numbers of topk.csv and predictions.csv: six decimals, as the reference tables write them,
 * and no activation rounded away: a small one keeps its float exactly.
 */
class AuditNumbersTest {

    @Test
    void smallActivationsKeepTheirValueAndOthersHaveSixDecimals() {
        assertThat(AuditFiles.number(2.623372f)).isEqualTo("2.623372");
        assertThat(AuditFiles.number(-0.25f)).isEqualTo("-0.250000");
        assertThat(AuditFiles.number(0f)).isEqualTo("0.000000");
        assertThat(AuditFiles.number(Float.NaN)).isEqualTo("NaN");
        for (float v : new float[] {0.0015157900f, -3.1e-7f, 0.0099999f, Float.MIN_VALUE}) {
            assertThat(Float.parseFloat(AuditFiles.number(v))).as("%s", v).isEqualTo(v);
        }
    }
}
