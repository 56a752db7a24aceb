package dev.streamretrieval.operators.encoding.testmodels;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Minimal protobuf wire-format writer, just enough to emit ONNX {@code ModelProto} bytes without the
 * ONNX protobuf library. Field numbers follow onnx.proto (proto2, so repeated scalars are written
 * unpacked, which every protobuf parser accepts).
 *
 * <p>Instances write one message; the static helpers build the ONNX messages used by
 * {@link OnnxTestModels}.
 */
final class OnnxProtoWriter {

  // --- wire types ---
  private static final int WT_VARINT = 0;
  private static final int WT_LEN = 2;
  private static final int WT_FIXED32 = 5;

  // --- TensorProto.DataType ---
  static final int FLOAT = 1;
  static final int INT64 = 7;

  // --- AttributeProto.AttributeType ---
  static final int ATTR_FLOAT = 1;
  static final int ATTR_INT = 2;
  static final int ATTR_INTS = 7;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  // ------------------------------------------------------------------ raw wire encoding

  private void rawVarint(long value) {
    long v = value;
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private void tag(int field, int wireType) {
    rawVarint(((long) field << 3) | wireType);
  }

  OnnxProtoWriter varint(int field, long value) {
    tag(field, WT_VARINT);
    rawVarint(value);
    return this;
  }

  OnnxProtoWriter fixed32Float(int field, float value) {
    tag(field, WT_FIXED32);
    int bits = Float.floatToIntBits(value);
    out.write(bits & 0xFF);
    out.write((bits >>> 8) & 0xFF);
    out.write((bits >>> 16) & 0xFF);
    out.write((bits >>> 24) & 0xFF);
    return this;
  }

  OnnxProtoWriter bytes(int field, byte[] value) {
    tag(field, WT_LEN);
    rawVarint(value.length);
    out.write(value, 0, value.length);
    return this;
  }

  OnnxProtoWriter string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  OnnxProtoWriter message(int field, OnnxProtoWriter sub) {
    return bytes(field, sub.toByteArray());
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }

  // ------------------------------------------------------------------ ONNX messages

  /** OperatorSetIdProto: domain=1, version=2. */
  static OnnxProtoWriter opset(String domain, long version) {
    return new OnnxProtoWriter().string(1, domain).varint(2, version);
  }

  /** TensorProto with float raw_data: dims=1, data_type=2, name=8, raw_data=9 (little-endian). */
  static OnnxProtoWriter floatTensor(String name, long[] dims, float[] data) {
    ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(data);
    return tensor(name, dims, FLOAT, buf.array(), data.length);
  }

  /** TensorProto with int64 raw_data. */
  static OnnxProtoWriter int64Tensor(String name, long[] dims, long[] data) {
    ByteBuffer buf = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    buf.asLongBuffer().put(data);
    return tensor(name, dims, INT64, buf.array(), data.length);
  }

  private static OnnxProtoWriter tensor(
      String name, long[] dims, int dataType, byte[] raw, int count) {
    long expected = 1;
    for (long d : dims) {
      expected *= d;
    }
    if (expected != count) {
      throw new IllegalArgumentException(
          "tensor " + name + ": " + count + " values for shape of " + expected + " elements");
    }
    OnnxProtoWriter t = new OnnxProtoWriter();
    for (long d : dims) {
      t.varint(1, d);
    }
    t.varint(2, dataType);
    t.string(8, name);
    t.bytes(9, raw);
    return t;
  }

  /** AttributeProto INT: name=1, i=3, type=20. */
  static OnnxProtoWriter attrInt(String name, long value) {
    return new OnnxProtoWriter().string(1, name).varint(3, value).varint(20, ATTR_INT);
  }

  /** AttributeProto FLOAT: name=1, f=2, type=20. */
  static OnnxProtoWriter attrFloat(String name, float value) {
    return new OnnxProtoWriter().string(1, name).fixed32Float(2, value).varint(20, ATTR_FLOAT);
  }

  /** AttributeProto INTS: name=1, ints=8 (unpacked), type=20. */
  static OnnxProtoWriter attrInts(String name, long... values) {
    OnnxProtoWriter a = new OnnxProtoWriter().string(1, name);
    for (long v : values) {
      a.varint(8, v);
    }
    return a.varint(20, ATTR_INTS);
  }

  /** NodeProto: input=1, output=2, name=3, op_type=4, attribute=5. */
  static OnnxProtoWriter node(
      String opType, String name, List<String> inputs, List<String> outputs,
      OnnxProtoWriter... attributes) {
    OnnxProtoWriter n = new OnnxProtoWriter();
    for (String in : inputs) {
      n.string(1, in);
    }
    for (String o : outputs) {
      n.string(2, o);
    }
    n.string(3, name);
    n.string(4, opType);
    for (OnnxProtoWriter a : attributes) {
      n.message(5, a);
    }
    return n;
  }

  /**
   * ValueInfoProto (name=1, type=2) of a tensor type: TypeProto.tensor_type=1, Tensor.elem_type=1,
   * Tensor.shape=2, TensorShapeProto.dim=1, Dimension.dim_value=1 / dim_param=2.
   *
   * @param dims each entry a {@link Number} (fixed size) or a {@link String} (symbolic dimension)
   */
  static OnnxProtoWriter tensorValueInfo(String name, int elemType, Object... dims) {
    OnnxProtoWriter shape = new OnnxProtoWriter();
    for (Object d : dims) {
      OnnxProtoWriter dim = new OnnxProtoWriter();
      if (d instanceof Number n) {
        dim.varint(1, n.longValue());
      } else if (d instanceof String s) {
        dim.string(2, s);
      } else {
        throw new IllegalArgumentException("dimension must be a Number or a String: " + d);
      }
      shape.message(1, dim);
    }
    OnnxProtoWriter tensorType = new OnnxProtoWriter().varint(1, elemType).message(2, shape);
    OnnxProtoWriter type = new OnnxProtoWriter().message(1, tensorType);
    return new OnnxProtoWriter().string(1, name).message(2, type);
  }

  /** GraphProto: node=1, name=2, initializer=5, input=11, output=12. */
  static OnnxProtoWriter graph(
      String name,
      List<OnnxProtoWriter> nodes,
      List<OnnxProtoWriter> initializers,
      List<OnnxProtoWriter> inputs,
      List<OnnxProtoWriter> outputs) {
    OnnxProtoWriter g = new OnnxProtoWriter();
    for (OnnxProtoWriter n : nodes) {
      g.message(1, n);
    }
    g.string(2, name);
    for (OnnxProtoWriter i : initializers) {
      g.message(5, i);
    }
    for (OnnxProtoWriter i : inputs) {
      g.message(11, i);
    }
    for (OnnxProtoWriter o : outputs) {
      g.message(12, o);
    }
    return g;
  }

  /** ModelProto: ir_version=1, producer_name=2, graph=7, opset_import=8 (default domain ""). */
  static byte[] model(long irVersion, long opsetVersion, String producer, OnnxProtoWriter graph) {
    return new OnnxProtoWriter()
        .varint(1, irVersion)
        .string(2, producer)
        .message(7, graph)
        .message(8, opset("", opsetVersion))
        .toByteArray();
  }
}
