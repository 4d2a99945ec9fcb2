"""Composition modes: where artworks go, how they look on the canvas, and that the canvas
comes back pixel for pixel after mode switches, removals and a crash."""

from itertools import combinations

import numpy as np
import pytest
from PIL import Image

from animo_desktop.composition import (CanvasSpec, CompositionMode, Placement, artwork_at,
                                       collage, fit, layers, layout, render_canvas,
                                       visible_artworks)
from animo_desktop.composition.chain import cached_chain
from animo_desktop.emotions import Emotion
from animo_desktop.messages import ArtworkMetadata
from animo_desktop.session import Session, SessionFolder, save_artwork_files

CANVAS = CanvasSpec()
SCATTERED = (CompositionMode.COLLAGE, CompositionMode.LAYERS)
# Time order with gaps, as when the generation queue drops a request now and then.
INDICES = [1, 2, 3, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 18, 20, 21, 22, 23, 25]


def artwork(seed: int, size: int = 96) -> Image.Image:
    """A small artwork with structure in every channel, so resampling shows."""
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8), "RGB")


def metadata(seed: int) -> ArtworkMetadata:
    return ArtworkMetadata(created_at="2026-11-22T10:00:00+01:00", emotion=Emotion.JOY,
                           backend="painter", seed=seed, prompt="", generation_ms=1.0)


def total_recent_overlap(placements: dict[int, Placement], recent: int) -> int:
    """How much each artwork covers of the `recent` ones placed just before it."""
    ordered = list(placements.values())
    return sum(placement.overlap(earlier)
               for i, placement in enumerate(ordered)
               for earlier in ordered[max(0, i - recent):i])


def test_every_mode_has_a_value_and_a_display_name():
    assert [mode.value for mode in CompositionMode] == ["collage", "mosaic", "layers"]
    assert [mode.display_name for mode in CompositionMode] == ["Collage", "Mosaic", "Layers"]
    assert CompositionMode("layers") is CompositionMode.LAYERS


@pytest.mark.parametrize("mode", list(CompositionMode))
def test_each_mode_keeps_every_artwork_inside_the_canvas(mode):
    placements = layout(mode, CANVAS, 1234, INDICES)
    assert list(placements) == INDICES
    for p in placements.values():
        assert p.width == p.height > 0
        assert p.x >= 0 and p.y >= 0
        assert p.x + p.width <= CANVAS.width and p.y + p.height <= CANVAS.height


@pytest.mark.parametrize("mode", list(CompositionMode))
def test_each_mode_is_deterministic_for_a_seed(mode):
    first = layout(mode, CANVAS, 1234, INDICES)
    assert layout(mode, CANVAS, 1234, INDICES) == first
    other_seed = layout(mode, CANVAS, 4321, INDICES)
    if mode is CompositionMode.MOSAIC:
        assert other_seed == first  # a grid in time order: nothing random
    else:
        assert other_seed != first


@pytest.mark.parametrize(("mode", "room", "module"), [
    (CompositionMode.COLLAGE, CANVAS.shortest - 2 * round(CANVAS.shortest * collage.MARGIN),
     collage),
    (CompositionMode.LAYERS, CANVAS.shortest, layers)])
def test_scattered_sides_vary_within_their_range_and_positions_are_random(mode, room, module):
    placements = layout(mode, CANVAS, 99, range(1, 201))
    sides = np.array([p.width for p in placements.values()])
    assert (sides >= int(module.MIN_SIDE * room)).all()
    assert (sides <= module.MAX_SIDE * room).all()
    assert np.ptp(sides) > 0.8 * (module.MAX_SIDE - module.MIN_SIDE) * room
    assert len({(p.x, p.y) for p in placements.values()}) > 150  # random, not a grid


def test_the_collage_has_many_small_prints_and_a_few_large_ones_inside_a_paper_margin():
    placements = layout(CompositionMode.COLLAGE, CANVAS, 5, range(1, 301)).values()
    margin = round(CANVAS.shortest * collage.MARGIN)
    assert margin > 0
    for p in placements:
        assert p.x >= margin and p.y >= margin
        assert p.x + p.width <= CANVAS.width - margin
        assert p.y + p.height <= CANVAS.height - margin
    sides = np.array([p.width for p in placements])
    middle = (sides.min() + sides.max()) / 2
    assert 0.55 < (sides < middle).mean() < 0.85  # skewed to small, large ones still there


@pytest.mark.parametrize("mode", SCATTERED)
def test_an_arrival_never_moves_the_artworks_already_there(mode):
    full = layout(mode, CANVAS, 77, INDICES)
    for count in range(len(INDICES)):
        before = layout(mode, CANVAS, 77, INDICES[:count])
        assert before == {index: full[index] for index in INDICES[:count]}


@pytest.mark.parametrize("mode", SCATTERED)
def test_a_removal_never_moves_the_other_artworks(mode):
    full = layout(mode, CANVAS, 77, INDICES)
    for removed in (INDICES[0], INDICES[7], INDICES[-1]):
        remaining = [index for index in INDICES if index != removed]
        assert layout(mode, CANVAS, 77, remaining) == {i: full[i] for i in remaining}


def collage_placements(seeds, count):
    cached_chain.cache_clear()
    return [layout(CompositionMode.COLLAGE, CANVAS, seed, range(1, count + 1)) for seed in seeds]


def test_the_collage_puts_each_artwork_where_it_covers_the_fewest_recent_ones(monkeypatch):
    least = collage_placements(range(6), 40)
    monkeypatch.setattr(collage, "CANDIDATES", 1)
    plain = collage_placements(range(6), 40)
    cached_chain.cache_clear()
    chosen = first = 0
    for least_one, plain_one in zip(least, plain):
        assert ([p.width for p in least_one.values()] == [p.width for p in plain_one.values()])
        least_total = total_recent_overlap(least_one, collage.RECENT)
        plain_total = total_recent_overlap(plain_one, collage.RECENT)
        assert least_total < plain_total
        chosen, first = chosen + least_total, first + plain_total
    assert chosen < 0.6 * first  # measured about 0.3


def paper_left(mode: CompositionMode, count: int, seed: int) -> float:
    """The share of the canvas still showing the background after `count` solid artworks."""
    placements = layout(mode, CANVAS, seed, range(1, count + 1))
    canvas = render_canvas(CANVAS, mode, [(p, Image.new("RGB", (8, 8), "#c03020"))
                                          for p in placements.values()])
    return float((np.asarray(canvas) == np.asarray(
        Image.new("RGB", (1, 1), CANVAS.background))).all(axis=2).mean())


def test_layers_paint_the_whole_canvas_edges_and_corners_too(monkeypatch):
    # Before: one blob in the middle, the paper showing all around it.
    for seed in range(3):
        assert paper_left(CompositionMode.LAYERS, 30, seed) < 0.01
    monkeypatch.setattr(layers, "EDGE_SNAP", 0.0)  # no layer bleeds off an edge
    cached_chain.cache_clear()
    assert paper_left(CompositionMode.LAYERS, 30, 0) > 0.03
    cached_chain.cache_clear()


def test_layers_go_where_the_canvas_was_painted_least_lately(monkeypatch):
    def spread(seeds):
        cached_chain.cache_clear()
        return [paper_left(CompositionMode.LAYERS, 8, seed) for seed in seeds]
    chosen = spread(range(4))
    monkeypatch.setattr(layers, "CANDIDATES", 1)
    plain = spread(range(4))
    cached_chain.cache_clear()
    assert sum(chosen) < 0.5 * sum(plain)


def test_the_mosaic_fills_a_centred_grid_in_time_order_without_overlaps():
    placements = layout(CompositionMode.MOSAIC, CANVAS, 1, INDICES)
    cells = list(placements.values())
    assert len({(p.width, p.height) for p in cells}) == 1  # one square cell size
    reading_order = sorted(placements, key=lambda index: (placements[index].y,
                                                          placements[index].x))
    assert reading_order == INDICES
    assert all(a.overlap(b) == 0 for a, b in combinations(cells, 2))
    columns = len({p.x for p in cells})
    assert len({p.y for p in cells}) == -(-len(INDICES) // columns)  # no empty row
    left = min(p.x for p in cells)
    right = CANVAS.width - max(p.x + p.width for p in cells)
    top = min(p.y for p in cells)
    bottom = CANVAS.height - max(p.y + p.height for p in cells)
    assert abs(left - right) <= 1 and abs(top - bottom) <= 1


@pytest.mark.parametrize(("canvas", "count", "columns"), [
    (CANVAS, 1, 1), (CANVAS, 2, 1), (CANVAS, 4, 2), (CANVAS, 25, 5),
    (CanvasSpec(985, 720), 2, 2), (CanvasSpec(985, 720), 3, 2), (CanvasSpec(985, 720), 5, 3)])
def test_the_mosaic_grid_gives_each_cell_the_most_room(canvas, count, columns):
    placements = layout(CompositionMode.MOSAIC, canvas, 1, list(range(1, count + 1)))
    assert len({p.x for p in placements.values()}) == columns
    cell = next(iter(placements.values())).width
    assert cell > 0.85 * min(canvas.width / columns,
                             canvas.height / len({p.y for p in placements.values()}))


def test_the_mosaic_grows_and_cells_only_shrink():
    sides = [layout(CompositionMode.MOSAIC, CANVAS, 1, list(range(1, n + 1)))[1].width
             for n in range(1, 80)]
    assert sides == sorted(sides, reverse=True) and sides[-1] < sides[0]
    assert layout(CompositionMode.MOSAIC, CANVAS, 1, []) == {}


def test_switching_mode_keeps_every_artwork():
    for mode in CompositionMode:
        assert list(layout(mode, CANVAS, 5, INDICES)) == INDICES
    session = Session.new(CANVAS)
    for index in INDICES:
        session.add_artwork(index, metadata(index), f"artworks/{index:04d}-joy.png")
    for mode in [CompositionMode.MOSAIC, CompositionMode.LAYERS, CompositionMode.COLLAGE]:
        session.set_mode(mode)
        assert session.composition is mode
        assert [record.index for record in session.artworks] == INDICES
        assert [record.metadata.seed for record in session.artworks] == INDICES
        expected = layout(mode, CANVAS, session.seed, INDICES)
        assert {record.index: record.placement for record in session.artworks} == expected


def test_a_session_removal_relayouts_and_keeps_the_rest():
    session = Session.new(CANVAS, CompositionMode.MOSAIC)
    for index in INDICES:
        session.add_artwork(index, metadata(index), None)
    removed = session.remove_artwork(INDICES[3])
    assert removed.index == INDICES[3]
    remaining = [index for index in INDICES if index != INDICES[3]]
    assert [record.index for record in session.artworks] == remaining
    # The mosaic closes the gap: artworks after the removed one move up a cell.
    assert ({record.index: record.placement for record in session.artworks}
            == layout(CompositionMode.MOSAIC, CANVAS, session.seed, remaining))
    assert session.next_index == INDICES[-1] + 1
    with pytest.raises(KeyError):
        session.remove_artwork(INDICES[3])


def test_the_mosaic_fits_the_artwork_to_its_cell_as_rgb():
    placement = Placement(3, 4, 150, 150)
    fitted = fit(artwork(1), placement, CompositionMode.MOSAIC, CANVAS)
    assert fitted.mode == "RGB" and fitted.size == (150, 150)
    expected = artwork(1).resize((150, 150), Image.Resampling.LANCZOS)
    assert fitted.tobytes() == expected.tobytes()


def test_the_collage_fits_a_framed_print_with_a_soft_shadow():
    placement = Placement(30, 40, 300, 300)
    fitted = fit(artwork(1), placement, CompositionMode.COLLAGE, CANVAS)
    assert fitted.mode == "RGBA" and fitted.size == (300, 300)
    rgba = np.asarray(fitted).astype(int)
    printed = collage.print_side(300)
    frame = round(printed * collage.FRAME)
    assert 0 < frame and printed < 300
    assert (rgba[:printed, :printed, 3] == 255).all()  # the print is opaque
    assert (rgba[:frame, :printed, :3] == collage.FRAME_RGB).all()  # its paper border
    assert (rgba[:printed, :frame, :3] == collage.FRAME_RGB).all()
    inner = printed - 2 * frame
    expected = np.asarray(artwork(1).resize((inner, inner), Image.Resampling.LANCZOS))
    assert (rgba[frame:frame + inner, frame:frame + inner, :3] == expected).all()
    shadow_below = rgba[printed:-2, 40:printed, 3]
    assert 0 < shadow_below.min() and shadow_below.max() < 255  # a soft shadow below...
    assert (rgba[printed:, 40:printed, :3] == collage.SHADOW_RGB).all()
    assert rgba[0, -1, 3] == 0 and rgba[-1, 0, 3] == 0  # ...that falls down and right
    assert (np.abs(np.diff(rgba[150, printed:, 3])) <= 20).all()  # fading, no hard rim


def layer_alpha(placement: Placement, canvas: CanvasSpec = CANVAS) -> np.ndarray:
    fitted = fit(artwork(2), placement, CompositionMode.LAYERS, canvas)
    assert fitted.mode == "RGBA" and fitted.size == (placement.width, placement.height)
    # The mask lives only in the alpha: the colours are the artwork's, resized.
    expected = artwork(2).resize(fitted.size, Image.Resampling.LANCZOS)
    assert fitted.convert("RGB").tobytes() == expected.tobytes()
    return np.asarray(fitted.getchannel("A"), dtype=int)


def test_layers_fit_with_a_broken_edge_that_keeps_colours_apart():
    alpha = layer_alpha(Placement(100, 100, 400, 400))
    assert (alpha[150:250, 150:250] == 255).all()  # an opaque centre
    for corner in (alpha[:40, :40], alpha[:40, -40:], alpha[-40:, :40], alpha[-40:, -40:]):
        assert (corner == 0).all()
    assert (alpha[0, :] == 0).all() and (alpha[:, -1] == 0).all()  # nothing reaches an edge
    # Little of a layer is half-way between showing and not (the smooth fade before: 29 %
    # of it), so the layers' colours sit side by side there instead of averaging into mud.
    half_way = (alpha >= 64) & (alpha <= 191)
    assert half_way.sum() / (alpha > 0).sum() < 0.1
    assert (np.abs(np.diff(alpha, axis=1)) <= 96).all()  # soft at the pixel: no jaggies


def test_a_layer_on_the_canvas_edge_bleeds_off_it():
    side = 400
    alpha = layer_alpha(Placement(0, 100, side, side))
    assert (alpha[side // 4:-side // 4, 0] == 255).all()  # opaque to the left edge
    assert (alpha[:, -1] == 0).all() and (alpha[0, :] == 0).all()  # faded inside
    corner = layer_alpha(Placement(CANVAS.width - side, CANVAS.height - side, side, side))
    assert corner[-1, -1] == 255 and corner[0, 0] == 0


def test_fitting_is_idempotent_so_the_view_and_the_export_match():
    placement = Placement(10, 10, 120, 120)
    for mode in CompositionMode:
        fitted = fit(artwork(3), placement, mode, CANVAS)
        assert fit(fitted, placement, mode, CANVAS) is fitted


@pytest.mark.parametrize("mode", list(CompositionMode))
def test_render_is_reproducible_and_the_same_from_fitted_images(mode):
    placements = layout(mode, CANVAS, 8, INDICES)
    raw = [(placements[index], artwork(index)) for index in INDICES]
    first = render_canvas(CANVAS, mode, raw)
    assert first.mode == "RGB" and first.size == (CANVAS.width, CANVAS.height)
    assert render_canvas(CANVAS, mode, raw).tobytes() == first.tobytes()
    fitted = [(placement, fit(image, placement, mode, CANVAS)) for placement, image in raw]
    assert render_canvas(CANVAS, mode, fitted).tobytes() == first.tobytes()


@pytest.mark.parametrize("mode", list(CompositionMode))
def test_render_paints_on_the_background_setting(mode):
    for background, rgb in (("#000000", (0, 0, 0)), ("#20a0c0", (32, 160, 192))):
        canvas = CanvasSpec(300, 400, background)
        empty = np.asarray(render_canvas(canvas, mode, [])).reshape(-1, 3)
        assert (empty == rgb).all()
        placement = layout(mode, canvas, 1, [1])[1]
        result = render_canvas(canvas, mode, [(placement, Image.new("RGB", (8, 8), "red"))])
        uncovered = (0, 0) if placement.x > 0 or placement.y > 0 else (299, 399)
        assert result.getpixel(uncovered) == rgb
        centre = (placement.x + placement.width // 2, placement.y + placement.height // 2)
        assert result.getpixel(centre) == (255, 0, 0)


def test_render_paints_the_newest_on_top():
    placement = Placement(10, 10, 64, 64)
    for mode in CompositionMode:
        result = render_canvas(CANVAS, mode, [(placement, Image.new("RGB", (8, 8), "red")),
                                              (placement, Image.new("RGB", (8, 8), "blue"))])
        assert result.getpixel((42, 42)) == (0, 0, 255)


def test_layers_show_what_lies_beneath_through_their_broken_edge():
    placement = Placement(50, 50, 200, 200)
    result = render_canvas(CanvasSpec(300, 300, "#ffffff"), CompositionMode.LAYERS,
                           [(placement, Image.new("RGB", (8, 8), "red")),
                            (placement, Image.new("RGB", (8, 8), "blue"))])
    pixels = np.asarray(result).astype(int)
    assert tuple(pixels[150, 150]) == (0, 0, 255)
    edge = pixels[50:250, 50:250][(pixels[50:250, 50:250, 0] > 0)
                                  | (pixels[50:250, 50:250, 2] < 255)]
    assert (edge[:, 0] > 200).sum() > 50  # red shows through the blue's broken edge


def test_restore_after_a_crash_reproduces_the_canvas_pixel_for_pixel(tmp_path):
    session = Session.new(CANVAS)
    folder = SessionFolder.create(tmp_path, session.session_id)
    folder.save(session)
    images: dict[int, Image.Image] = {}

    def arrive(index: int, save_state: bool = True) -> None:
        png = folder.artwork_path(index, "joy")
        images[index] = artwork(index, size=64)
        save_artwork_files(png, images[index], metadata(index))
        session.add_artwork(index, metadata(index), folder.relative(png))
        if save_state:
            folder.save(session)

    for index in (1, 2, 3, 5, 6):
        arrive(index)
    session.set_mode(CompositionMode.LAYERS)
    session.remove_artwork(3)
    folder.save(session)
    arrive(7, save_state=False)  # the app dies after the artwork's files, before the state

    def canvas_of(s: Session, image_of) -> Image.Image:
        return render_canvas(s.canvas, s.composition,
                             [(record.placement, image_of(record)) for record in s.artworks])

    before = canvas_of(session, lambda record: images[record.index])
    restored = folder.load()
    assert restored.composition is CompositionMode.LAYERS
    assert [record.index for record in restored.artworks] == [1, 2, 5, 6, 7]
    assert restored.next_index == 8
    after = canvas_of(restored, folder.load_image)
    assert after.tobytes() == before.tobytes()


@pytest.mark.parametrize("mode", list(CompositionMode))
def test_the_canvas_passing_over_its_hidden_artworks_is_the_same_canvas(mode):
    indices = list(range(1, 121))
    placements = layout(mode, CANVAS, 11, indices)
    images = {index: artwork(index, 48) for index in indices}
    visible = visible_artworks(CANVAS, mode, list(placements.items()))
    everything = render_canvas(CANVAS, mode, [(placements[i], images[i]) for i in indices])
    shown = render_canvas(CANVAS, mode, [(placements[i], images[i] if i in visible else None)
                                         for i in indices])
    assert shown.tobytes() == everything.tobytes()
    assert indices[-1] in visible
    if mode is CompositionMode.COLLAGE:
        assert len(visible) < len(indices) / 2  # most early artworks lie under newer ones
        # Left out altogether, they would not age the canvas: it would not be the same.
        dropped = render_canvas(CANVAS, mode, [(placements[i], images[i]) for i in indices
                                               if i in visible])
        assert dropped.tobytes() != everything.tobytes()
    if mode is CompositionMode.MOSAIC:
        assert visible == set(indices)  # cells never overlap


def test_in_the_collage_the_oldest_recede_towards_the_paper_and_the_newest_stand_out():
    placement = Placement(100, 100, 300, 300)
    others = [(Placement(450, 500, 200, 200), Image.new("RGB", (8, 8), "blue"))] * 40
    result = render_canvas(CANVAS, CompositionMode.COLLAGE,
                           [(placement, Image.new("RGB", (8, 8), "black"))] + others)
    receded = np.asarray(result)[250, 250].astype(int)
    paper = np.array([0xf4, 0xf1, 0xea])
    # Forty prints later the black one keeps 0.988 ** 40, about 62 % of its contrast.
    assert 0.55 < 1 - receded.mean() / paper.mean() < 0.7
    assert tuple(np.asarray(result)[600, 550]) == (0, 0, 255)  # the newest: untouched


def test_a_painting_grown_one_artwork_at_a_time_is_the_rendered_canvas():
    from animo_desktop.composition import Painting
    for mode in CompositionMode:
        placements = layout(mode, CANVAS, 3, INDICES)
        painting = Painting(CANVAS, mode)
        for index in INDICES:
            fitted = painting.add(placements[index], artwork(index))
            assert fitted.size == (placements[index].width, placements[index].height)
        expected = render_canvas(CANVAS, mode, [(placements[i], artwork(i)) for i in INDICES])
        assert painting.image().tobytes() == expected.tobytes()


def test_the_artwork_at_a_point_is_the_topmost_and_soft_parts_let_clicks_through():
    below, above = Placement(100, 100, 100, 100), Placement(150, 150, 100, 100)
    placed = [(1, below), (2, above)]
    for mode in CompositionMode:
        assert artwork_at(CANVAS, mode, placed, 175, 175) == 2
        assert artwork_at(CANVAS, mode, placed, 125, 125) == 1
        assert artwork_at(CANVAS, mode, placed, 275, 275) is None
    # A layer's transparent corner and a print's shadow show what lies beneath.
    assert artwork_at(CANVAS, CompositionMode.LAYERS, placed, 152, 152) == 1
    assert artwork_at(CANVAS, CompositionMode.COLLAGE, placed, 197, 120) is None
    assert artwork_at(CANVAS, CompositionMode.MOSAIC, placed, 197, 120) == 1


def test_a_huge_canvas_is_shown_at_a_bounded_size_and_a_usual_one_at_full_size():
    from animo_desktop.composition import DISPLAY_MAX_SIDE, display_scale
    assert display_scale(CANVAS) == 1.0
    huge = CanvasSpec(8192, 6000)
    assert max(huge.width, huge.height) * display_scale(huge) == DISPLAY_MAX_SIDE
