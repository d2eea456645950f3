package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's {@code Activation} layer: {@code y = f(x)} element-wise (or softmax over the last
 * axis), with {@code dx = dy * f'(y)} computed from the saved output.
 *
 * <p>Any input rank; the mask passes through. No parameters. The functions themselves live in
 * {@link io.github.rnn4j.kernels.Activations}; this is only the layer wrapper.
 *
 * <pre>{@code
 * Layer relu = new Activation("relu");   // layers.Activation("relu")
 * }</pre>
 */
public class Activation extends Layer {
    private final LayerActivation activation;

    /** An activation layer by Keras name ("relu", "tanh", "softmax", ...). */
    public Activation(String name) {
        this.activation = LayerActivation.of(name);
    }

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static Activation fromConfig(Map<String, Object> c) {
        Object a = c.get("activation");
        Activation l = new Activation(a == null ? null : a.toString());
        l.applyBaseConfig(c);
        return l;
    }

    /** The Keras name of the function. */
    public String activation() {
        return activation.kerasName();
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        LayerSupport.checkShapeCount(this, in, 1);
        if (activation.kerasName().equals("softmax") && (in[0].length == 0 || in[0][in[0].length - 1] == 0)) {
            throw new IllegalArgumentException(where() + ": softmax needs a non-empty last axis, got "
                    + LayerSupport.batchShape(in[0]));
        }
        return new int[][]{in[0].clone()};
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
    }

    static final class ActivationFrame extends Frame {
        Tensor y;
        int rows, n;
    }

    @Override
    public Frame newFrame() {
        return new ActivationFrame();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        LayerSupport.requireBuilt(this);
        checkInputCount(inputs, 1, 1);
        Tensor x = inputs[0];
        LayerSupport.checkInput(this, x, 0);
        ActivationFrame fr = (ActivationFrame) frame;
        Tensor y = fr.outputCopy(0, x, x.shape());
        int n = x.rank() == 1 ? 1 : x.dim(-1);
        int rows = n == 0 ? 0 : x.size() / n;
        activation.forward(rows, n, y.data(), 0);
        fr.y = y;
        fr.rows = rows;
        fr.n = n;
        return new Tensor[]{y};
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        ActivationFrame fr = (ActivationFrame) frame;
        Tensor dy = gradOutputs[0];
        if (dy == null) return new Tensor[]{fr.output(1, false, fr.y.shape())};
        LayerSupport.checkGrad(this, dy, fr.y.shape(), 0);
        Tensor dx = fr.outputCopy(1, dy, dy.shape());
        activation.backward(fr.rows, fr.n, fr.y.data(), 0, dx.data(), 0);
        return new Tensor[]{dx};
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("activation", activation.kerasName());
        return c;
    }
}
