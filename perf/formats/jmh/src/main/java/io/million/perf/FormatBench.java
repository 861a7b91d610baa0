package io.million.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;

/**
 * Encode and decode cost of one object in JSON and in CBOR with Jackson, the way the services write
 * them and clients read them. The objects are the real answers of a running catalog and orders
 * service (a product, a page of 20 products, an order), saved by perf/formats/bench.sh in
 * {@code -Ddocuments=<dir>} as JSON; each is held as a Jackson tree and written and read back in
 * each format (the tree model: the same work for both formats, no view classes needed here).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FormatBench {

    @Param({ "product", "page", "order" })
    public String object;

    @Param({ "json", "cbor" })
    public String format;

    private ObjectMapper mapper;
    private JsonNode tree;
    private byte[] encoded;

    @Setup
    public void load() throws IOException {
        ObjectMapper json = new ObjectMapper();
        tree = json.readTree(Files.readAllBytes(Path.of(System.getProperty("documents"), object + ".json")));
        mapper = format.equals("cbor") ? json.copyWith(new CBORFactory()) : json;
        encoded = mapper.writeValueAsBytes(tree);
    }

    @Benchmark
    public byte[] encode() throws IOException {
        return mapper.writeValueAsBytes(tree);
    }

    @Benchmark
    public JsonNode decode() throws IOException {
        return mapper.readTree(encoded);
    }
}
