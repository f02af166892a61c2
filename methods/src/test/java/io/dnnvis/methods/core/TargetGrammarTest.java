package io.dnnvis.methods.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TargetGrammarTest {

    @Test
    void classesStepsOutputElementsAndNeuronsParse() {
        assertThat(Target.parse("class:7@3")).isEqualTo(Target.classAtStep(7, 3));
        assertThat(Target.parse("class:7@-1")).isEqualTo(
                new Target.ClassScore("7", OptionalInt.of(-1), Optional.empty(), Optional.empty()));
        assertThat(Target.parse("class:me@home")).isEqualTo(Target.classLabel("me@home"));
        assertThat(Target.parse("output:/head/Conv_output_0[0, 2,-1,4]"))
                .isEqualTo(new Target.OutputElement("/head/Conv_output_0", List.of(0L, 2L, -1L, 4L)));
        assertThat(Target.parse("output:y[0,2]")).hasToString("output:y[0,2]");
        assertThat(Target.parse("class:2@5")).hasToString("class:2@5");
        assertThat(Target.classIndex(1).within(new TargetArea.Region(0, 1, 4, 5))).hasToString("class:1 in region 0,1,4,5");
        assertThat(Target.parse("neuron:3,1,2")).isEqualTo(Target.neuron(3, 1, 2));
        for (String bad : List.of("output:y", "output:y[]", "output:y[0,a]", "output:[0]", "class:", "step:3")) {
            assertThatThrownBy(() -> Target.parse(bad)).as(bad).isInstanceOf(BadRequestException.class)
                    .hasMessageContaining("output:NAME[i,j,...]");
        }
        assertThat(Target.parse("output:y[0]").needsLayer()).isFalse();
        assertThat(Target.parse("neuron:1").needsLayer()).isTrue();
    }

    @Test
    void regionsParseAndRefuseEmptyOnes() {
        assertThat(TargetArea.Region.parse("1, 2,3,4")).isEqualTo(new TargetArea.Region(1, 2, 3, 4));
        assertThatThrownBy(() -> TargetArea.Region.parse("1,2,3")).hasMessageContaining("is not y0,x0,y1,x1");
        assertThatThrownBy(() -> TargetArea.Region.parse("3,2,3,4")).hasMessageContaining("is empty");
    }

    @Test
    void masksAreConstantAlongAnAxisOnlyWhenEveryLineIsUniform() {
        long[] shape = {1, 2, 3};
        // ones over all of step 1 ([1, 2, 3], axis 2): constant along the axis
        assertThat(SoftmaxSums.constantAlongAxis(new float[] {0, 0, 0, 1, 1, 1}, shape, 2, false)).isTrue();
        assertThat(SoftmaxSums.constantAlongAxis(new float[] {0, 0, 0, 1, 0, 1}, shape, 2, false)).isFalse();
        // along axis 1 (the two steps): class 2 at both steps is constant, class 2 at one step is not
        assertThat(SoftmaxSums.constantAlongAxis(new float[] {0, 0, 1, 0, 0, 1}, shape, 1, false)).isTrue();
        assertThat(SoftmaxSums.constantAlongAxis(new float[] {0, 0, 1, 0, 0, 0}, shape, 1, false)).isFalse();
        // before opset 13 the softmax runs over axes 1 and 2 flattened: only all six elements are constant
        assertThat(SoftmaxSums.constantAlongAxis(new float[] {0, 0, 1, 0, 0, 1}, shape, 1, true)).isFalse();
        assertThat(SoftmaxSums.constantAlongAxis(new float[] {1, 1, 1, 1, 1, 1}, shape, 1, true)).isTrue();
        assertThat(SoftmaxSums.constantAlongAxis(new float[6], shape, 1, false)).as("no element selected").isFalse();
    }
}
