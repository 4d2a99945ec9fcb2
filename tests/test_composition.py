from PIL import Image

from animo_desktop.composition import CanvasSpec, collage_placement, render_canvas


def test_collage_placements_stay_inside_and_are_reproducible():
    canvas = CanvasSpec()
    placements = [collage_placement(canvas, 1234, index) for index in range(1, 200)]
    for p in placements:
        assert p.x >= 0 and p.y >= 0
        assert p.x + p.width <= canvas.width and p.y + p.height <= canvas.height
        assert 0.3 * canvas.width < p.width < 0.6 * canvas.width
    assert placements == [collage_placement(canvas, 1234, index) for index in range(1, 200)]
    assert placements != [collage_placement(canvas, 4321, index) for index in range(1, 200)]
    assert len({(p.x, p.y) for p in placements}) > 150  # random, not a fixed grid


def test_render_is_canvas_sized_and_paints_newest_on_top():
    canvas = CanvasSpec(400, 300, "#000000")
    first = collage_placement(canvas, 1, 1)
    red, blue = Image.new("RGB", (64, 64), "red"), Image.new("RGB", (64, 64), "blue")
    result = render_canvas(canvas, [(first, red), (first, blue)])
    assert result.size == (400, 300)
    assert result.getpixel((first.x + 2, first.y + 2)) == (0, 0, 255)
    outside = (0, 0) if first.x > 0 or first.y > 0 else (399, 299)
    assert result.getpixel(outside) == (0, 0, 0)
