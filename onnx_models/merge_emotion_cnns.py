"""Merge emotion CNNs trained by train_emotion_cnn.py into the one model ANIMO ships.

    python onnx_models/merge_emotion_cnns.py /tmp/emotion_cnn_v1.onnx /tmp/emotion_cnn_v2.onnx

The merged graph feeds the same 48 x 48 face to every member and returns the mean of
their probabilities: an ensemble in one ONNX file, which the application loads like a
single CNN. Members that saw faces framed differently in training (FER2013's own crops,
the application's landmark crops) make different mistakes, and the mean corrects some.
Writes onnx_models/emotion_cnn.onnx and emotion_cnn_training.json, which gathers each
member's training JSON (written beside it by the training script). Needs the `onnx`
package (pip install -e '.[train]').
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import onnx
from onnx import compose, helper, numpy_helper

HERE = Path(__file__).resolve().parent


def merge(members: list[Path]) -> onnx.ModelProto:
    models = [onnx.load(str(path)) for path in members]
    first = models[0]
    metadata = {entry.key: entry.value for entry in first.metadata_props}
    shared_input, output = first.graph.input[0], first.graph.output[0]
    nodes, initializers, outputs = [], [], []
    for index, (path, model) in enumerate(zip(members, models)):
        labels = {entry.key: entry.value for entry in model.metadata_props}.get("labels")
        if labels != metadata["labels"] or model.opset_import != first.opset_import:
            raise SystemExit(f"{path}: other labels or opset than {members[0]}")
        model = compose.add_prefix(model, f"member{index}/")
        own_input = model.graph.input[0].name
        for node in model.graph.node:
            node.input[:] = [shared_input.name if name == own_input else name
                             for name in node.input]
            nodes.append(node)
        initializers += model.graph.initializer
        outputs.append(model.graph.output[0].name)
    initializers.append(numpy_helper.from_array(np.array(1 / len(members), np.float32),
                                                "ensemble/share"))
    nodes += [helper.make_node("Sum", outputs, ["ensemble/sum"]),
              helper.make_node("Mul", ["ensemble/sum", "ensemble/share"], [output.name])]
    graph = helper.make_graph(nodes, "emotion_cnn_ensemble", [shared_input], [output],
                              initializer=initializers)
    merged = helper.make_model(graph, opset_imports=first.opset_import)
    merged.ir_version = first.ir_version
    metadata["ensemble"] = f"mean of {len(members)} CNNs' probabilities"
    for key, value in metadata.items():
        merged.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(merged)
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("members", type=Path, nargs="+", metavar="MEMBER.onnx")
    parser.add_argument("--out", type=Path, default=HERE / "emotion_cnn.onnx")
    args = parser.parse_args()
    training = {"ensemble": "the mean of the members' probabilities, one ONNX graph",
                "members": [{"file": path.name, **json.loads(
                    path.with_name(path.stem + "_training.json").read_text())}
                    for path in args.members]}
    onnx.save(merge(args.members), str(args.out))
    args.out.with_name(args.out.stem + "_training.json").write_text(
        json.dumps(training, indent=1) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB), {len(args.members)} members")


if __name__ == "__main__":
    main()
