package io.dnnvis.onnx;

import io.dnnvis.onnx.proto.OnnxProto.StringStringEntryProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads the external data of a tensor, refusing every location that could leave the model's
 * folder (CVE-2022-25882, CVE-2024-27318 and their symlink / hard-link successors) and every
 * offset or length that does not fit the file or the tensor's dims.
 */
final class ExternalData {

    private static final Set<String> KNOWN_KEYS = Set.of("location", "offset", "length", "checksum");

    private final Path modelFile;
    private final Path modelFolder;

    /**
     * @param modelFile the model as the user named it (used in messages)
     * @param modelFolder the real path of the folder that holds the model, or null for a model
     *     read from memory, whose external data is always refused
     */
    ExternalData(Path modelFile, Path modelFolder) {
        this.modelFile = modelFile;
        this.modelFolder = modelFolder;
    }

    /**
     * The bytes of an external tensor; {@code expectedBytes} is what its dims and type need and
     * {@code tensor} names it in messages (e.g. {@code initializer 'w'}).
     */
    byte[] read(TensorProto t, long expectedBytes, String tensor) {
        Map<String, String> entries = new HashMap<>();
        for (StringStringEntryProto e : t.getExternalDataList()) {
            if (!KNOWN_KEYS.contains(e.getKey())) {
                throw fail(tensor + ": unknown external_data key '" + e.getKey() + "'");
            }
            if (entries.put(e.getKey(), e.getValue()) != null) {
                throw fail(tensor + ": external_data key '" + e.getKey() + "' given twice");
            }
        }
        if (modelFolder == null) {
            throw fail(tensor + " has external data, which a model read from memory cannot have");
        }
        String location = entries.get("location");
        if (location == null || location.isEmpty()) {
            throw fail(tensor + ": external data without a location");
        }
        long offset = number(entries.get("offset"), 0, tensor, "offset");
        long length = number(entries.get("length"), expectedBytes, tensor, "length");
        if (length != expectedBytes) {
            throw fail(tensor + ": external data length " + length + " does not match its dims ("
                    + expectedBytes + " bytes)");
        }
        Path file = resolve(location, tensor);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw fail(tensor + ": cannot read external data file '" + location + "': " + e.getMessage());
        }
        if (offset > size || length > size - offset) {
            throw fail(tensor + ": external data [" + offset + ", " + offset + "+" + length + ") lies past the end of '"
                    + location + "' (" + size + " bytes)");
        }
        if (length > Integer.MAX_VALUE - 8) {
            throw fail(tensor + ": external data of " + length + " bytes is larger than dnnvis reads (2 GiB)");
        }
        byte[] bytes = new byte[(int) length];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            long pos = offset;
            while (buf.hasRemaining()) {
                int r = ch.read(buf, pos);
                if (r < 0) {
                    throw fail(tensor + ": external data file '" + location + "' ended early");
                }
                pos += r;
            }
        } catch (IOException e) {
            throw fail(tensor + ": cannot read external data file '" + location + "': " + e.getMessage());
        }
        return bytes;
    }

    private Path resolve(String location, String tensor) {
        String where = tensor + ": external data location '" + InvalidModelException.oneLine(location) + "'";
        if (location.indexOf('\0') >= 0) {
            throw fail(where + " contains a NUL character");
        }
        if (location.contains("_ORT_MEM_ADDR_")) {
            throw fail(where + " uses ONNX Runtime's in-memory marker");
        }
        if (location.startsWith("/") || location.startsWith("\\") || location.matches("^[A-Za-z]:.*")
                || location.contains("://") || location.startsWith("file:")) {
            throw fail(where + " is absolute; it must be relative to the model's folder");
        }
        for (String part : location.split("[/\\\\]")) {
            if (part.equals("..")) {
                throw fail(where + " contains '..'; it must stay inside the model's folder");
            }
        }
        Path candidate = modelFolder.resolve(location).normalize();
        if (!candidate.startsWith(modelFolder)) {
            throw fail(where + " leaves the model's folder");
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(candidate, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw fail(where + ": file not found");
        }
        if (attrs.isSymbolicLink()) {
            throw fail(where + " is a symbolic link");
        }
        if (!attrs.isRegularFile()) {
            throw fail(where + " is not a regular file");
        }
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (IOException e) {
            throw fail(where + ": cannot resolve: " + e.getMessage());
        }
        if (!real.startsWith(modelFolder)) {
            throw fail(where + " leads out of the model's folder through a symbolic link");
        }
        try {
            Object links = Files.getAttribute(real, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
            if (links instanceof Integer n && n > 1) {
                throw fail(where + " is a hard link (" + n + " names); refused");
            }
        } catch (UnsupportedOperationException | IOException | IllegalArgumentException e) {
            // no unix attributes on this file system: nothing more to check
        }
        return real;
    }

    private long number(String text, long defaultValue, String tensor, String key) {
        if (text == null) {
            return defaultValue;
        }
        try {
            long v = Long.parseLong(text.strip());
            if (v < 0) {
                throw fail(tensor + ": negative external data " + key + " " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw fail(tensor + ": external data " + key + " '" + InvalidModelException.oneLine(text)
                    + "' is not a number");
        }
    }

    private InvalidModelException fail(String problem) {
        return new InvalidModelException(modelFile, problem);
    }
}
