package io.million.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * A JSON document under version control that must equal what the code produces (a service's
 * served OpenAPI document, the merged platform document), so a contract change is always a visible
 * diff in review. Compared as JSON (key order and whitespace do not matter). When they differ the
 * check fails and writes the produced document beside the build output; run the build with
 * {@code -Dmillion.contract.update=true} to write it over the snapshot instead, then review the diff.
 */
public final class ContractSnapshot {

    public static final String UPDATE = "million.contract.update";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ContractSnapshot() {
    }

    /** Fails unless {@code produced} equals the snapshot file (or rewrites it in update mode). */
    public static void check(JsonNode produced, Path snapshot) {
        try {
            String text = JSON.writeValueAsString(produced) + "\n";
            if (Boolean.getBoolean(UPDATE)) {
                Files.writeString(snapshot, text);
                return;
            }
            if (!Files.exists(snapshot)) {
                throw new AssertionError("No snapshot " + snapshot.toAbsolutePath() + ": run the build with -D" + UPDATE
                        + "=true to write it, and commit it");
            }
            if (!JSON.readTree(snapshot.toFile()).equals(produced)) {
                Path actual = Path.of("target", snapshot.getFileName().toString());
                Files.createDirectories(actual.getParent());
                Files.writeString(actual, text);
                throw new AssertionError("The contract changed: " + actual.toAbsolutePath() + " differs from "
                        + snapshot.toAbsolutePath() + ". If the change is meant, run the build with -D" + UPDATE
                        + "=true (or copy the file over) and commit the diff");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
