package dev.finetune.api;

import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One page of a list, shaped as CI users know it from the OpenAI API:
 * {@code {"object":"list","data":[...],"has_more":true,"last_id":"..."}}. Pass {@code last_id} as
 * {@code after} to get the next page.
 */
public record ListPage<T>(String object, List<T> data, @JsonProperty("has_more") boolean hasMore,
        @JsonProperty("last_id") String lastId) {

    /** A complete list. */
    public static <T> ListPage<T> of(List<T> data) {
        return new ListPage<>("list", data, false, null);
    }

    /** From {@code limit + 1} fetched rows: the extra row only says that there is more. */
    public static <E, T> ListPage<T> fromOverfetch(List<E> rows, int limit, Function<E, T> view, Function<E, String> id) {
        boolean more = rows.size() > limit;
        List<E> page = more ? rows.subList(0, limit) : rows;
        String last = page.isEmpty() ? null : id.apply(page.get(page.size() - 1));
        return new ListPage<>("list", page.stream().map(view).toList(), more, last);
    }
}
