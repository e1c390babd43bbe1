package dev.finetune.api.openai;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A page of an OpenAI list: {@code {"object": "list", "data": [...], "has_more", "first_id", "last_id"}};
 * the SDKs page on with the last item's id as {@code after}.
 */
record OpenAiList<T>(
        @Schema(allowableValues = "list") String object,
        List<T> data,
        @JsonProperty("has_more") boolean hasMore,
        @Schema(nullable = true) @JsonProperty("first_id") String firstId,
        @Schema(nullable = true) @JsonProperty("last_id") String lastId) {

    /** From {@code limit + 1} items: the extra one only says that there is more. */
    static <T> OpenAiList<T> fromOverfetch(List<T> items, int limit, java.util.function.Function<T, String> id) {
        boolean more = items.size() > limit;
        List<T> page = more ? items.subList(0, limit) : items;
        return new OpenAiList<>("list", List.copyOf(page), more, page.isEmpty() ? null : id.apply(page.get(0)),
                page.isEmpty() ? null : id.apply(page.get(page.size() - 1)));
    }
}
