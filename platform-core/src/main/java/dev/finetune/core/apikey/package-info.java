/**
 * API keys. A key is shown to its owner once, as {@code ftk_<prefix>_<secret>}: the prefix is
 * stored in clear so that users can tell keys apart and the server can find the row; of the
 * 32-byte random secret only its SHA-256 is stored (a fast hash suffices because the secret has
 * full entropy). Keys carry scopes ({@code admin} implies {@code submit} and {@code read}) and
 * record creation, last use and revocation.
 */
package dev.finetune.core.apikey;
