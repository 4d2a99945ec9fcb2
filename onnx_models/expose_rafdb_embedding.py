"""Add the face embedding as a second output of OpenCV Zoo's RAF-DB expression model.

    python onnx_models/expose_rafdb_embedding.py \
        ../shared/models/facial_expression_recognition_mobilefacenet_2022july_int8.onnx

The zoo's model returns only its seven logits. Its 512-number embedding (the flattened
output of the last convolution, just before the classifier layer) says more about a face
than the logits, and the fusion (animo_desktop/vision/fusion.py) reads both. This script
changes nothing in the network: it declares that existing tensor an output named
"embedding", and writes resources/models/rafdb_expression_int8.onnx. Needs the `onnx`
package (`pip install -e '.[train]'`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import onnx

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "resources" / "models" / "rafdb_expression_int8.onnx"
EMBEDDING_TENSOR = "481"  # Flatten after the global depth-wise convolution


def expose_embedding(model: onnx.ModelProto) -> onnx.ModelProto:
    producers = [node for node in model.graph.node if EMBEDDING_TENSOR in node.output]
    if len(producers) != 1 or producers[0].op_type != "Flatten":
        raise SystemExit(f"tensor {EMBEDDING_TENSOR} is not the model's flattened embedding")
    identity = onnx.helper.make_node("Identity", [EMBEDDING_TENSOR], ["embedding"])
    model.graph.node.append(identity)
    model.graph.output.append(onnx.helper.make_tensor_value_info(
        "embedding", onnx.TensorProto.FLOAT, [1, 512]))
    onnx.checker.check_model(model)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("zoo_model", type=Path,
                        help="facial_expression_recognition_mobilefacenet_2022july_int8.onnx")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    onnx.save(expose_embedding(onnx.load(args.zoo_model)), args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
