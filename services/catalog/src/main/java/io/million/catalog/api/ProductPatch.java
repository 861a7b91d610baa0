package io.million.catalog.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

import com.fasterxml.jackson.databind.JsonNode;

import io.million.catalog.domain.Product;
import io.million.web.problem.Problem;
import io.million.web.problem.ProblemException;
import io.million.web.problem.UnstorableText;

/**
 * A validated JSON merge patch (RFC 7396) of a product. Each present field must be valid by the
 * same rules as on create ({@link CreateProductRequest}); {@code sku} cannot change (422) and
 * {@code stock} has its own resource.
 */
record ProductPatch(Map<String, JsonNode> changes) {

    private static final Set<String> PATCHABLE = Set.of("name", "description", "category", "priceCents", "currency");

    static ProductPatch parse(JsonNode patch, Validator validator) {
        if (patch == null || !patch.isObject() || patch.isEmpty()) {
            throw ProblemException.badInput("body", "must be a JSON object naming what to change");
        }
        Map<String, JsonNode> changes = new java.util.LinkedHashMap<>();
        List<Problem.FieldError> errors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            if (name.equals("sku")) {
                throw new ProblemException(new Problem("about:blank", "Unprocessable Content", 422,
                        "A sku cannot change; create a new product", null,
                        List.of(new Problem.FieldError("sku", "cannot be changed"))));
            }
            if (!PATCHABLE.contains(name)) {
                errors.add(new Problem.FieldError(name, name.equals("stock") ? "has its own resource: /stock"
                        : "is not a property that can be patched"));
                continue;
            }
            JsonNode value = field.getValue();
            boolean number = name.equals("priceCents");
            if (!value.isNull() && (number ? !value.canConvertToExactIntegral() || !value.isNumber() : !value.isTextual())) {
                errors.add(new Problem.FieldError(name, number ? "must be a whole number" : "must be a string"));
                continue;
            }
            if (value.isTextual() && UnstorableText.contains(value.asText())) {
                errors.add(new Problem.FieldError(name, UnstorableText.MESSAGE));
                continue;
            }
            Object typed = value.isNull() ? null : number ? (Object) value.asLong() : value.asText();
            for (ConstraintViolation<CreateProductRequest> violation
                    : validator.validateValue(CreateProductRequest.class, name, typed)) {
                errors.add(new Problem.FieldError(name, violation.getMessage()));
            }
            changes.put(name, value);
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(new Problem("about:blank", "Bad Request", 400, "Invalid input: "
                    + String.join(", ", errors.stream().map(Problem.FieldError::field).distinct().toList()), null,
                    errors));
        }
        return new ProductPatch(changes);
    }

    void applyTo(Product product, Instant now) {
        changes.forEach((name, value) -> {
            switch (name) {
                case "name" -> product.name = value.asText().strip();
                case "description" -> product.description = value.isNull() ? null : value.asText();
                case "category" -> product.category = value.asText().strip();
                case "priceCents" -> product.priceCents = value.asLong();
                case "currency" -> product.currency = value.asText();
                default -> throw new IllegalStateException("unpatchable " + name);
            }
        });
        product.updatedAt = now;
    }
}
