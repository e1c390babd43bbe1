package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.finetune.engine.checkpoint.HostTensor;

/** {@link WeightStorage#DENSE}: the weight uploaded as it is, float32. */
final class DenseStorage implements WeightStorage {

    @Override
    public String name() {
        return "dense";
    }

    @Override
    public Linear hold(HostTensor weight, NDArray bias, NDManager manager, DataType computeType) {
        return new DenseLinear(ModelLoader.upload(manager, weight), bias, computeType);
    }

    @Override
    public Linear hold(CheckpointTensor weight, NDArray bias, NDManager manager, DataType computeType) {
        return new DenseLinear(weight.upload(manager), bias, computeType);
    }

    @Override
    public String toString() {
        return name();
    }
}
