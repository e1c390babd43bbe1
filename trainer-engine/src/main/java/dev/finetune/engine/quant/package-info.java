/**
 * Frozen-weight storage for QLoRA: {@link dev.finetune.engine.quant.Nf4Storage}, the
 * {@link dev.finetune.engine.model.WeightStorage} that the model loader takes to hold every frozen
 * projection as NF4 codes ({@code Nf4Linear} dequantizes them inside each forward). Below it,
 * bitsandbytes-compatible blockwise NF4 quantization with optional
 * double quantization of the block scales ({@link dev.finetune.engine.quant.Nf4Tensor}, host side),
 * its device-side counterpart that rebuilds the dense weight inside a training step with plain
 * NDArray ops ({@link dev.finetune.engine.quant.Nf4Weight}), a symmetric int4 absmax baseline
 * ({@link dev.finetune.engine.quant.Int4Absmax}) and an error report
 * ({@link dev.finetune.engine.quant.QuantError}); the package is plain Java on DJL, free of Spring.
 */
package dev.finetune.engine.quant;
