package dev.finetune.engine.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies host arrays into arrays whose memory libtorch owns. {@code NDManager.create} of a Java array wraps a direct
 * buffer of the data's full size ({@code from_blob}) that lives only as long as the NDArray wrapper: it counts
 * against the JVM's direct memory limit (the NF4 codes of a large model, a random 1.1B model's weights), and a view
 * or an autograd record that outlives the wrapper reads freed memory once the buffer is collected (the attention
 * mask, which the fused kernel's backward keeps; see {@link Scalars}). Here a CPU array is allocated by libtorch and
 * filled through the view of its own memory ({@code toByteBuffer(true)}), which is not kept. On a GPU
 * {@code create} copies to the device, memory libtorch owns already.
 */
public final class NativeArrays {

    private NativeArrays() {}

    public static NDArray uint8(NDManager manager, byte[] data) {
        Shape shape = new Shape(data.length);
        NDArray out = manager.create(shape, DataType.UINT8);
        ByteBuffer view = view(out, data.length);
        if (view == null) {
            out.close();
            return manager.create(ByteBuffer.wrap(data), shape, DataType.UINT8);
        }
        view.put(data);
        return out;
    }

    public static NDArray float32(NDManager manager, float[] data) {
        return float32(manager, data, new Shape(data.length));
    }

    /** {@code data} (row-major, {@code shape.size()} values) as a float32 array of {@code shape}. */
    public static NDArray float32(NDManager manager, float[] data, Shape shape) {
        NDArray out = manager.create(shape, DataType.FLOAT32);
        ByteBuffer view = view(out, 4L * data.length);
        if (view == null) {
            out.close();
            return manager.create(data, shape);
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
