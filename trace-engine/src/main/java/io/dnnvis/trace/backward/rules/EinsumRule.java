package io.dnnvis.trace.backward.rules;

import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.trace.backward.graph.BackwardRule;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.RuleContext;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Einsum (a 1x1 convolution {@code bchw,oc->bohw}, a batched product): the signal to an operand is
 * the Einsum of the signal with the other operands, back to that operand's subscripts
 * ({@code Z + out, others -> Z + mine}, Z the signals' axis). Exact where every subscript of the
 * operand appears in the output or in another operand, and none twice in one operand (a diagonal);
 * equations with an ellipsis are refused.
 */
public final class EinsumRule implements BackwardRule {

    @Override
    public void backward(RuleContext ctx) {
        String equation = ctx.node().attribute("equation").map(a -> a.asString()).orElse("").replace(" ", "");
        if (equation.contains(".")) {
            throw ctx.unsupported("Einsum with an ellipsis ('" + equation + "')");
        }
        String[] sides = equation.split("->", -1);
        String[] operands = sides[0].split(",", -1);
        if (operands.length != ctx.node().inputs().size()) {
            throw ctx.unsupported("Einsum equation '" + equation + "' for " + ctx.node().inputs().size() + " inputs");
        }
        String out = sides.length == 2 ? sides[1] : implicitOutput(sides[0]);
        String letters = sides[0].replace(",", "") + out;
        char z = signalLetter(letters, ctx);
        String g = ctx.signal(0).orElseThrow();
        GraphEmitter e = ctx.emit();
        for (int k = 0; k < operands.length; k++) {
            if (!ctx.needsSignal(k)) {
                continue;
            }
            String mine = operands[k];
            List<String> inputs = new ArrayList<>(List.of(g));
            StringBuilder lhs = new StringBuilder().append(z).append(out);
            StringBuilder elsewhere = new StringBuilder(out);
            for (int j = 0; j < operands.length; j++) {
                if (j != k) {
                    inputs.add(ctx.input(j));
                    lhs.append(',').append(operands[j]);
                    elsewhere.append(operands[j]);
                }
            }
            for (int i = 0; i < mine.length(); i++) {
                char c = mine.charAt(i);
                if (mine.indexOf(c) != i) {
                    throw ctx.unsupported("Einsum '" + equation + "' repeats '" + c + "' in one operand (a diagonal)");
                }
                if (elsewhere.toString().indexOf(c) < 0) {
                    throw ctx.unsupported("Einsum '" + equation + "' sums '" + c + "' over one operand alone");
                }
            }
            ctx.send(k, e.op("Einsum", inputs, OnnxProtos.stringAttr("equation", lhs + "->" + z + mine)));
        }
    }

    /** Without {@code ->}: the subscripts that appear once, in alphabetical order (numpy's rule, ONNX's). */
    static String implicitOutput(String lhs) {
        TreeSet<Character> once = new TreeSet<>();
        String all = lhs.replace(",", "");
        for (char c : all.toCharArray()) {
            if (all.indexOf(c) == all.lastIndexOf(c)) {
                once.add(c);
            }
        }
        StringBuilder s = new StringBuilder();
        once.forEach(s::append);
        return s.toString();
    }

    private static char signalLetter(String used, RuleContext ctx) {
        for (char c = 'a'; c <= 'z'; c++) {
            if (used.indexOf(c) < 0) {
                return c;
            }
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            if (used.indexOf(c) < 0) {
                return c;
            }
        }
        throw ctx.unsupported("Einsum using all 52 subscripts");
    }
}
