package io.million.web.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;

/**
 * Reads and writes {@code application/cbor} bodies with the {@link Cbor} mapper, for any entity the
 * JSON provider handles. Bytes, strings and streams are left to the REST layer's own providers.
 */
@Provider
@Produces(Format.CBOR_TYPE)
@Consumes(Format.CBOR_TYPE)
public class CborBodies implements MessageBodyWriter<Object>, MessageBodyReader<Object> {

    private final Cbor cbor;

    public CborBodies(Cbor cbor) {
        this.cbor = cbor;
    }

    private static boolean handles(Class<?> type) {
        return type != byte[].class && type != String.class && !InputStream.class.isAssignableFrom(type)
                && !io.vertx.core.buffer.Buffer.class.isAssignableFrom(type);
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return handles(type);
    }

    @Override
    public void writeTo(Object value, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, Object> headers, OutputStream out) throws IOException {
        // The runtime type: a ?fields= selection replaces the entity with a tree (libs/web FieldSelection).
        out.write(cbor.mapper().writeValueAsBytes(value));
    }

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return handles(type);
    }

    @Override
    public Object readFrom(Class<Object> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, String> headers, InputStream in) throws IOException {
        return cbor.mapper().readValue(in, cbor.mapper().constructType(genericType));
    }
}
