"""`animo render --backend painter`: artworks from the command line with no model at all."""

import json

from PIL import Image

from animo_desktop.cli import main
from animo_desktop.storage import read_png_text


def test_render_with_the_painter_needs_no_model(tmp_path, capsys):
    out = tmp_path / "renders"
    assert main(["render", "--backend", "painter", "--emotion", "happy", "--seed", "5",
                 "-n", "2", "--out", str(out)]) == 0
    files = sorted(out.glob("*.png"))
    assert [file.name for file in files] == ["joy-5.png", "joy-6.png"]
    text = read_png_text(files[1])
    assert "Seed: 6, Emotion: joy" in text["parameters"]
    record = json.loads(text["animo:session"])
    assert (record["emotion"], record["seed"], record["backend"]) == ("joy", 6, "painter")
    assert Image.open(files[0]).size == (512, 512)
    assert "joy-6.png" in capsys.readouterr().out
