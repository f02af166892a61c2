package io.dnnvis.methods.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.core.BadRequestException;
import org.junit.jupiter.api.Test;

/** An image's true class from its folder or the start of its file name. */
class LabelSourceTest {

    @Test
    void theFolderIsTheNearestOneAndNoneAtTheTop() {
        assertThat(LabelSource.FOLDER.labelOf("cat/001.png")).isEqualTo("cat");
        assertThat(LabelSource.FOLDER.labelOf("train/dog/x_1.jpg")).isEqualTo("dog");
        assertThat(LabelSource.FOLDER.labelOf("top.png")).isEmpty();
    }

    @Test
    void thePrefixEndsAtTheFirstDashUnderscoreOrDot() {
        assertThat(LabelSource.PREFIX.labelOf("A-23-000.png")).isEqualTo("A");
        assertThat(LabelSource.PREFIX.labelOf("sub/tabby_cat-2.png")).isEqualTo("tabby");
        assertThat(LabelSource.PREFIX.labelOf("plain.png")).isEqualTo("plain");
        assertThat(LabelSource.NONE.labelOf("cat/A-1.png")).isEmpty();
    }

    @Test
    void aNamesFirstCharacterIsPartOfItsPrefixWhateverItIs() {
        assertThat(LabelSource.PREFIX.labelOf("-C.png")).isEqualTo("-C");
        assertThat(LabelSource.PREFIX.labelOf("_B_2.png")).isEqualTo("_B");
        assertThat(LabelSource.PREFIX.labelOf("d/.hidden.png")).isEqualTo(".hidden");
        assertThat(LabelSource.PREFIX.labelOf("noext")).isEqualTo("noext");
    }

    @Test
    void namesParseAndUnknownOnesAreRefused() {
        assertThat(LabelSource.parse("Folder")).isEqualTo(LabelSource.FOLDER);
        assertThat(AuditMethod.parse("desalinet")).isEqualTo(AuditMethod.DESALINET);
        assertThat(AuditMethod.NONE.backward()).isEmpty();
        assertThatThrownBy(() -> LabelSource.parse("suffix")).isInstanceOf(BadRequestException.class)
                .hasMessageContaining("folder, prefix or none");
    }
}
