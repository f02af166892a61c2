package io.dnnvis.methods.audit;

import java.io.Serializable;

/**
 * A file or folder an audit could not use, and why (not an image, cannot be decoded, too large, a
 * symbolic-link loop, an unreadable folder).
 *
 * @param file its path relative to the audited folder, '/' separators
 */
public record SkippedFile(String file, String reason) implements Serializable {
}
