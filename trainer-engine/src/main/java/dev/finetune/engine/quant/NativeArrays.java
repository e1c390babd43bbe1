package dev.finetune.engine.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies host arrays into natively allocated NDArrays. {@code NDManager.create} of a heap buffer
 * wraps a direct buffer of the data's full size that lives as long as the NDArray, so the NF4 codes
 * of a large model counted against the JVM's direct memory limit; here a CPU array is allocated by
 * libtorch and filled through the view of its own memory ({@code toByteBuffer(true)}), which is not
 * kept. Elsewhere (a GPU) it falls back to {@code create}.
 */
final class NativeArrays {

    private NativeArrays() {}

    static NDArray uint8(NDManager manager, byte[] data) {
        NDArray out = manager.create(new Shape(data.length), DataType.UINT8);
        ByteBuffer view = view(out, data.length);
        if (view == null) {
            out.close();
            return manager.create(ByteBuffer.wrap(data), new Shape(data.length), DataType.UINT8);
        }
        view.put(data);
        return out;
    }

    static NDArray float32(NDManager manager, float[] data) {
        NDArray out = manager.create(new Shape(data.length), DataType.FLOAT32);
        ByteBuffer view = view(out, 4L * data.length);
        if (view == null) {
            out.close();
            return manager.create(data);
        }
        view.order(ByteOrder.nativeOrder()).asFloatBuffer().put(data);
        return out;
    }

    private static ByteBuffer view(NDArray array, long bytes) {
        if (array.getDevice().isGpu() || bytes == 0) {
            return null;
        }
        ByteBuffer view = array.toByteBuffer(true);
        return view.isDirect() && view.capacity() == bytes ? view : null;
    }
}
