package dev.finetune.registry;

import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One page of a list, in the API's list shape ({@code dev.finetune.api.ListPage}):
 * {@code {"object":"list","data":[...],"has_more":true,"last_id":"..."}}; pass {@code last_id} back as
 * {@code after} to get the next page. {@code last_id} is an opaque cursor (the last item's position in
 * this list), so a {@code last_id} of one list is refused by another.
 *
 * <p>{@code items} and {@code next_cursor} (with the {@code cursor} query parameter) are the registry's
 * earlier names, still written for existing clients and deprecated: {@code items} is {@code data},
 * {@code next_cursor} is {@code last_id} while {@code has_more}, else null.
 */
@JsonPropertyOrder({"object", "data", "has_more", "last_id", "items", "next_cursor"})
public record Page<T>(@JsonProperty("data") List<T> data, @JsonProperty("has_more") boolean hasMore,
        @JsonProperty("last_id") String lastId) {

    public Page {
        data = List.copyOf(data);
    }

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;

    /** From {@code limit + 1} fetched rows: the extra row only says that there is more. */
    static <E, T> Page<T> fromOverfetch(List<E> rows, int limit, Function<E, T> view, Function<E, String> cursor) {
        boolean more = rows.size() > limit;
        List<E> page = more ? rows.subList(0, limit) : rows;
        String last = page.isEmpty() ? null : cursor.apply(page.get(page.size() - 1));
        return new Page<>(page.stream().map(view).toList(), more, last);
    }

    @JsonProperty("object")
    public String object() {
        return "list";
    }

    /** Deprecated on the wire: the same list as {@code data}. */
    @JsonProperty("items")
    public List<T> items() {
        return data;
    }

    /** Deprecated on the wire: {@code last_id} while there is more, null on the last page. */
    @JsonProperty("next_cursor")
    public String nextCursor() {
        return hasMore ? lastId : null;
    }
}
