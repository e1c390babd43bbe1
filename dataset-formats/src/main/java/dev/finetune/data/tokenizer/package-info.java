/**
 * Tokenizers for the training engine. {@link dev.finetune.data.tokenizer.TextTokenizer} is the
 * small contract the data pipeline needs (encode, decode, special tokens, chat template), and
 * {@link dev.finetune.data.tokenizer.HfTokenizer} implements it for a Hugging Face checkpoint
 * directory: {@code tokenizer.json} is run by DJL's native {@code tokenizers} binding, entirely
 * offline and without truncation or padding, while {@code tokenizer_config.json} and
 * {@code config.json} supply the special tokens, the {@code add_bos_token}/{@code add_eos_token}
 * behaviour and the checkpoint's Jinja {@code chat_template}.
 */
package dev.finetune.data.tokenizer;
