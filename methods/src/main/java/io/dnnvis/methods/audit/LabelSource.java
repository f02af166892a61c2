package io.dnnvis.methods.audit;

import io.dnnvis.methods.core.BadRequestException;
import java.util.Locale;

/** Where an image's true class comes from: its folder, the start of its file name, or nowhere. */
public enum LabelSource {
    /** The name of the folder holding the image ({@code cat/001.png}: {@code cat}); none at the top level. */
    FOLDER,
    /** The file name up to its first {@code '-'}, {@code '_'} or {@code '.'} ({@code A-23-000.png}: {@code A}). */
    PREFIX,
    /** No true classes. */
    NONE;

    /** The true class of the image at {@code relativePath} ('/' separators), empty when there is none. */
    public String labelOf(String relativePath) {
        int slash = relativePath.lastIndexOf('/');
        return switch (this) {
            case FOLDER -> slash < 0 ? "" : relativePath.substring(relativePath.lastIndexOf('/', slash - 1) + 1, slash);
            case PREFIX -> {
                String name = relativePath.substring(slash + 1);
                int end = name.length();
                for (char c : new char[] {'-', '_', '.'}) {
                    int at = name.indexOf(c, 1); // a name's first character is part of its label
                    if (at > 0 && at < end) {
                        end = at;
                    }
                }
                yield name.substring(0, end);
            }
            case NONE -> "";
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code folder}, {@code prefix} or {@code none}. */
    public static LabelSource parse(String text) {
        for (LabelSource s : values()) {
            if (s.label().equalsIgnoreCase(text.strip())) {
                return s;
            }
        }
        throw new BadRequestException("unknown label source '" + text + "'; use folder, prefix or none");
    }
}
