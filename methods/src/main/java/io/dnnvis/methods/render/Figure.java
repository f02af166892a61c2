package io.dnnvis.methods.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A labelled grid of equally sized panels (one row per neuron, one column per picture), with a
 * title, drawn with Java2D. Panels smaller than 128 pixels are enlarged (nearest neighbour) so
 * small inputs stay visible; a panel with a colour scale has its {@link ColorBar} under it.
 */
public final class Figure {

    private static final int MIN_PANEL = 128;
    private static final int GAP = 8;
    private static final int TITLE = 28;
    private static final int LABEL = 20;

    private final String title;
    private final List<String> columns;
    private final List<String> rowLabels = new ArrayList<>();
    private final List<List<Picture>> rows = new ArrayList<>();

    public Figure(String title, List<String> columns) {
        this.title = title;
        this.columns = List.copyOf(columns);
    }

    /** Adds a row; {@code panels} has one picture per column. */
    public Figure row(String label, List<Picture> panels) {
        if (panels.size() != columns.size()) {
            throw new IllegalArgumentException(columns.size() + " panels expected, got " + panels.size());
        }
        rowLabels.add(label);
        rows.add(List.copyOf(panels));
        return this;
    }

    public BufferedImage render() {
        if (rows.isEmpty()) {
            throw new IllegalStateException("a figure needs at least one row");
        }
        BufferedImage first = rows.get(0).get(0).image();
        int zoom = Math.max(1, (MIN_PANEL + first.getWidth() - 1) / first.getWidth());
        int pw = first.getWidth() * zoom;
        int ph = first.getHeight() * zoom;
        int bar = rows.stream().flatMap(List::stream).anyMatch(p -> p.scale().isPresent()) ? ColorBar.HEIGHT : 0;
        int rowHeight = ph + bar + GAP;
        int labelWidth = 90;
        int width = labelWidth + columns.size() * (pw + GAP) + GAP;
        int height = TITLE + LABEL + rows.size() * rowHeight + GAP;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(fit(g, title, width - 2 * GAP), GAP, 19);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int c = 0; c < columns.size(); c++) {
                g.drawString(fit(g, columns.get(c), pw), labelWidth + c * (pw + GAP), TITLE + 14);
            }
            for (int r = 0; r < rows.size(); r++) {
                int y = TITLE + LABEL + r * rowHeight;
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                g.drawString(fit(g, rowLabels.get(r), labelWidth - GAP), GAP, y + ph / 2);
                for (int c = 0; c < columns.size(); c++) {
                    Picture panel = rows.get(r).get(c);
                    int x = labelWidth + c * (pw + GAP);
                    g.drawImage(panel.image(), x, y, pw, ph, null);
                    panel.scale().ifPresent(scale -> ColorBar.draw(g, scale, x, y + ph, pw));
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static String fit(Graphics2D g, String text, int width) {
        String t = text;
        while (t.length() > 1 && g.getFontMetrics().stringWidth(t) > width) {
            t = t.substring(0, t.length() - 2) + "…";
        }
        return t;
    }
}
