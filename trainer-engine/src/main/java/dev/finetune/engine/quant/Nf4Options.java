package dev.finetune.engine.quant;

/**
 * How a weight is NF4-quantized.
 *
 * @param blockSize       elements sharing one absmax (bitsandbytes default 64); positive and even, so a
 *                        block never splits a packed byte
 * @param doubleQuant     whether the fp32 block absmax values are themselves quantized to 8 bits
 *                        ("compress_statistics" in bitsandbytes)
 * @param absmaxBlockSize absmax values sharing one fp32 scale in double quantization (bitsandbytes: 256);
 *                        validated even when {@code doubleQuant} is false
 */
public record Nf4Options(int blockSize, boolean doubleQuant, int absmaxBlockSize) {

    /** QLoRA / bitsandbytes defaults: blocks of 64, double quantization with blocks of 256. */
    public static final Nf4Options DEFAULT = new Nf4Options(64, true, 256);

    public Nf4Options {
        if (blockSize <= 0 || blockSize % 2 != 0) {
            throw new IllegalArgumentException("blockSize must be a positive even number, got " + blockSize);
        }
        if (absmaxBlockSize <= 0) {
            throw new IllegalArgumentException("absmaxBlockSize must be positive, got " + absmaxBlockSize);
        }
    }

    /** The same options without double quantization (fp32 absmax per block). */
    public Nf4Options withoutDoubleQuant() {
        return new Nf4Options(blockSize, false, absmaxBlockSize);
    }
}
