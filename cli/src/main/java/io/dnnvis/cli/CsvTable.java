package io.dnnvis.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A CSV file (RFC 4180: fields in double quotes may hold commas, quotes doubled, and line breaks) read
 * as a header and rows; columns are found by name, so their order does not matter. Every problem is a
 * {@link UserException} naming the file (and the line).
 */
record CsvTable(Path file, Map<String, Integer> columns, List<Row> rows) {

    /** One data row: its fields and the line of the file it starts on (1 = the header). */
    record Row(int line, List<String> fields) {
    }

    CsvTable {
        columns = Map.copyOf(columns);
        rows = List.copyOf(rows);
    }

    /** Reads {@code file}, which must have the columns {@code required} (others are allowed). */
    static CsvTable read(Path file, List<String> required) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new UserException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new UserException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new UserException(file + ": cannot read (" + ErrorHandler.oneLine(String.valueOf(e.getMessage()))
                    + ")");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<Row> records = parse(file, text);
        if (records.isEmpty()) {
            throw new UserException(file + ": empty (no header line)");
        }
        Map<String, Integer> columns = new HashMap<>();
        List<String> header = records.get(0).fields();
        for (int i = 0; i < header.size(); i++) {
            columns.putIfAbsent(header.get(i).strip(), i);
        }
        for (String name : required) {
            if (!columns.containsKey(name)) {
                throw new UserException(file + ": no column '" + name + "' in the header line");
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Row r : records.subList(1, records.size())) {
            boolean blank = r.fields().size() == 1 && r.fields().get(0).isEmpty();
            if (blank) {
                continue;
            }
            if (r.fields().size() != header.size()) {
                throw new UserException(file + ": line " + r.line() + " has " + r.fields().size()
                        + " fields, the header " + header.size());
            }
            rows.add(r);
        }
        return new CsvTable(file, columns, rows);
    }

    /** The field of {@code column} (which must be in the header) in {@code row}. */
    String get(Row row, String column) {
        Integer i = columns.get(column);
        if (i == null) {
            throw new IllegalArgumentException("no column " + column);
        }
        return row.fields().get(i);
    }

    /** Whether the header names {@code column}. */
    boolean has(String column) {
        return columns.containsKey(column);
    }

    /** The field as an int, or a {@link UserException} naming the file, line and column. */
    int integer(Row row, String column) {
        String s = get(row, column).strip();
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw badField(row, column, s, "an integer");
        }
    }

    /** The field as a finite double, or a {@link UserException} naming the file, line and column. */
    double number(Row row, String column) {
        String s = get(row, column).strip();
        try {
            double v = Double.parseDouble(s);
            if (Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw badField(row, column, s, "a finite number");
    }

    /**
     * As {@link #number}, but {@code NaN} and {@code ±Infinity} too: values a model gives (a
     * prediction's score where no class is read, an activation that overflows).
     */
    double anyNumber(Row row, String column) {
        return switch (get(row, column).strip()) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> number(row, column);
        };
    }

    private UserException badField(Row row, String column, String value, String expected) {
        String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        return new UserException(file + ": line " + row.line() + ": " + column + " '"
                + ErrorHandler.oneLine(shown) + "' is not " + expected);
    }

    /** Splits {@code text} into records of fields, following quotes across line breaks. */
    private static List<Row> parse(Path file, String text) {
        List<Row> records = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1;
        int recordLine = 1;
        boolean quoted = false;
        boolean fieldWasQuoted = false;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < n && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append(c);
                }
            } else if (c == '"' && field.isEmpty() && !fieldWasQuoted) {
                quoted = true;
                fieldWasQuoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                fieldWasQuoted = false;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                fields.add(field.toString());
                records.add(new Row(recordLine, List.copyOf(fields)));
                fields.clear();
                field.setLength(0);
                fieldWasQuoted = false;
                line++;
                recordLine = line;
            } else if (fieldWasQuoted) {
                throw new UserException(file + ": line " + line + ": text after a closing quote");
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new UserException(file + ": line " + recordLine + ": a quote is never closed");
        }
        if (!field.isEmpty() || !fields.isEmpty() || fieldWasQuoted) {
            fields.add(field.toString());
            records.add(new Row(recordLine, List.copyOf(fields)));
        }
        return records;
    }
}
