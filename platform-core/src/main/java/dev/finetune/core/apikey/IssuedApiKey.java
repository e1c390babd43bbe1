package dev.finetune.core.apikey;

/** A freshly issued key and its one-time plaintext token; toString shows only the prefix. */
public record IssuedApiKey(ApiKey key, ApiKeyToken token) {

    @Override
    public String toString() {
        return "IssuedApiKey[" + token + "]";
    }
}
