package dev.finetune.engine.peft;

import java.util.Map;

/**
 * The engine's settings of one adapter method ({@code LoraConfig}, {@code BottleneckConfig}): what
 * {@link AdapterMethod#attach} builds an adapter from.
 */
public interface MethodConfig {

    /**
     * The settings under the snake_case names {@code training_summary.json} records them with
     * ({@code lora_r}, {@code reduction_factor}), in a fixed order.
     */
    Map<String, Object> hyperparameters();
}
