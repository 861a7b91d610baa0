package io.million.web.input;

import java.io.IOException;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.million.web.problem.UnstorableText;
import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * The rules every JSON body obeys before any handler sees it, so each refusal is a 400 naming the
 * field (rendered by {@code ProblemMappers}):
 * <ul>
 * <li>a string holding NUL (U+0000) is refused: PostgreSQL cannot store it;</li>
 * <li>a number with a fraction or an exponent is not silently truncated into a whole-number
 * field ({@code 12.5} for cents is an error, not 12); a number beyond the field's range is an
 * error, not an overflow (Jackson's default).</li>
 * </ul>
 */
@Singleton
public class JsonInput implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.registerModule(new SimpleModule("million-json-input").addDeserializer(String.class, new StorableStrings()));
    }

    /** Jackson's own string reading, refusing text that cannot be stored. */
    static final class StorableStrings extends StringDeserializer {

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String text = super.deserialize(parser, context);
            if (UnstorableText.contains(text)) {
                throw context.weirdStringException(text, String.class, UnstorableText.MESSAGE);
            }
            return text;
        }
    }
}
