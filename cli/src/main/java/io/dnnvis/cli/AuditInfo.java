package io.dnnvis.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code audit.json}: how a dataset audit was made (model, its SHA-256, layers, K, method,
 * preprocessing, image count, times...), read for the report. Fields the report does not know are
 * ignored; missing ones read as empty.
 */
record AuditInfo(String model, String modelSha256, String dnnvisVersion, List<Layer> layers, String top,
                 String method, String preprocessing, String images, String skipped, String started,
                 String finished, String labelsFrom) {

    /** One audited layer: its tensor, the name it was given, the folder of its pictures, its unit count and shape. */
    record Layer(String tensor, String alias, String folder, int units, String shape) {

        /** The layer as the report names it: the alias the user gave, else the tensor name. */
        String title() {
            return alias.isBlank() || alias.equals(tensor) ? tensor : alias + " (" + tensor + ")";
        }

        /** The file name of the layer's page. */
        String pageName() {
            return "layer-" + folder + ".html";
        }
    }

    /** A folder name that is one plain path segment (no separators, not '.' or '..'). */
    private static final Pattern PLAIN_FOLDER = Pattern.compile("[A-Za-z0-9._-]+");

    AuditInfo {
        layers = List.copyOf(layers);
    }

    /** Whether the audit made reconstructions ({@code method} is not {@code none}). */
    boolean hasReconstructions() {
        return !method.isBlank() && !method.strip().equalsIgnoreCase("none");
    }

    /** Reads {@code file}; a missing file, bad JSON or a layer without a usable folder is a {@link UserException}. */
    static AuditInfo read(Path file) {
        JsonNode root;
        try {
            root = JsonMapper.builder().build().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new UserException(file + ": no such file");
        } catch (JsonProcessingException e) {
            throw new UserException(file + ": not valid JSON (" + ErrorHandler.oneLine(e.getOriginalMessage()) + ")");
        } catch (IOException e) {
            throw new UserException(file + ": cannot read (" + ErrorHandler.oneLine(String.valueOf(e.getMessage()))
                    + ")");
        }
        if (root == null || !root.isObject()) {
            throw new UserException(file + ": not a JSON object");
        }
        JsonNode layersNode = root.path("layers");
        if (!layersNode.isArray()) {
            throw new UserException(file + ": no 'layers' list");
        }
        List<Layer> layers = new ArrayList<>();
        for (JsonNode l : layersNode) {
            String tensor = text(l.path("tensor"));
            String folder = text(l.path("folder"));
            if (!PLAIN_FOLDER.matcher(folder).matches() || folder.equals(".") || folder.equals("..")) {
                throw new UserException(file + ": layer '" + ErrorHandler.oneLine(tensor) + "': folder '"
                        + ErrorHandler.oneLine(folder) + "' is not a plain folder name");
            }
            JsonNode units = l.path("units");
            if (!units.canConvertToInt() || units.asInt() < 0) {
                throw new UserException(file + ": layer '" + ErrorHandler.oneLine(tensor)
                        + "': 'units' is not a count");
            }
            layers.add(new Layer(tensor, text(l.path("alias")), folder, units.asInt(), text(l.path("shape"))));
        }
        return new AuditInfo(text(root.path("model")), text(root.path("model_sha256")),
                text(root.path("dnnvis_version")), layers, text(root.path("top")), text(root.path("method")),
                text(root.path("preprocessing")), text(root.path("images")), text(root.path("skipped")),
                text(root.path("started")), text(root.path("finished")), text(root.path("labels_from")));
    }

    /** A JSON value as text: a string as it is, a number or boolean as written, a list or object as compact JSON. */
    private static String text(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "";
        }
        if (node.isValueNode()) {
            return node.asText();
        }
        return node.toString();
    }
}
