package io.million.web.fields;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the representation type of a resource method whose Java return type does not show it
 * (one that returns pre-serialized bytes), so {@code ?fields=} can still be checked before it runs.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Fields {
    Class<?> value();
}
